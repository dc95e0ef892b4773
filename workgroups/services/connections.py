"""Closing the open websockets of people who lost access. Trusts its caller: the services that
removed the access call it after commit."""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def connections_close(user_ids):
    """Tell the open websockets of these users to close (they lost access to a space).

    Each consumer joins the channel-layer group `user.<id>` and closes on `access.revoked`. Called
    after commit by the services that remove access.
    """
    layer = get_channel_layer()
    if layer is None or not user_ids:
        return

    async def send_all():
        # A Redis connection the layer opened before a Redis restart fails once and is dropped, so a
        # failed send is tried once more on a new connection. When Redis cannot be reached at all, the
        # change is made and stored in the liveness store, which every socket checks before it forwards
        # anything and which closes it within seconds: a channel layer that is down must not turn a
        # lock or a removal that succeeded into an error page.
        for user_id in user_ids:
            for attempt in (1, 2):
                try:
                    await layer.group_send(f"user.{user_id}", {"type": "access.revoked"})
                    break
                except Exception:
                    if attempt == 2:
                        logger.exception(
                            "access: the close signal could not be sent; the liveness store closes sockets"
                        )
                        return

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(send_all)()  # one hop into the event loop for the whole batch
        return
    # Called from a thread that runs an event loop of its own (a synchronous caller inside an async
    # program): async_to_sync refuses to block that loop, so the signal is sent from a helper thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(async_to_sync(send_all)).result()
