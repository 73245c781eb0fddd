// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The vigil authors.
 *
 * Overview: module load and unload. This file owns struct vigil_device, the
 * one instance behind /dev/vigil, and the order in which its parts come up
 * and go down: cache -> fsnotify group -> misc device, torn down in reverse.
 * It owns no per-daemon state; sessions belong to device.c and cannot exist
 * at unload, because an open /dev/vigil pins the module (fops.owner).
 *
 *   vigil_init(): vigil_cache_init() -> vigil_notify_init() -> vigil_device_init()
 *   vigil_exit(): vigil_device_uninit() -> vigil_notify_uninit() -> vigil_cache_uninit()
 */
#include <linux/module.h>

#include "core.h"

struct vigil_device vigil_device = {
	.lock = __SPIN_LOCK_UNLOCKED(vigil_device.lock),
	.register_mutex = __MUTEX_INITIALIZER(vigil_device.register_mutex),
};

static int __init vigil_init(void)
{
	int ret;

	ret = vigil_cache_init(&vigil_device.cache);
	if (ret)
		goto err_out;
	ret = vigil_notify_init(&vigil_device);
	if (ret)
		goto err_cache;
	ret = vigil_device_init(&vigil_device);
	if (ret)
		goto err_notify;
	pr_info("loaded, ABI %d\n", VIGIL_ABI_VERSION);
	return 0;

err_notify:
	vigil_notify_uninit(&vigil_device);
err_cache:
	vigil_cache_uninit(&vigil_device.cache);
err_out:
	return ret;
}

static void __exit vigil_exit(void)
{
	vigil_device_uninit(&vigil_device);
	vigil_notify_uninit(&vigil_device);
	vigil_cache_uninit(&vigil_device.cache);
}

module_init(vigil_init);
module_exit(vigil_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vigil on-access scanning: open and exec permission events with deadlines");
MODULE_AUTHOR("The vigil authors");
