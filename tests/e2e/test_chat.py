"""Chat in a real browser: two members in two browser contexts chat in Arabic in real time.

pytest-django's live server speaks WSGI only, so these tests run the project's ASGI application
(HTTP and websockets, as in production) in uvicorn, in a thread of the test process: it shares the
test database and the in-memory channel layer (or Redis when REDIS_URL is set).
"""

import threading

import pytest
from django.urls import reverse

from chat import services
from chat.models import Message
from tests import factories

from ..servers import uvicorn_in_thread
from .conftest import html_lang_dir, login

SPACE = "مجموعة القضايا الدستورية"


class AsgiServer:
    def __init__(self, url):
        self.url = url


@pytest.fixture
def asgi_server(transactional_db):
    with uvicorn_in_thread(ws="websockets-sansio") as port:
        yield AsgiServer(f"http://127.0.0.1:{port}")


@pytest.fixture
def members(conduct):
    space = factories.make_space(name=SPACE, name_en="Constitutional issues")
    return {
        "space": space,
        "rana": factories.add_member(space, username="rana", display_name="رنا"),
        "omar": factories.add_member(space, username="omar", display_name="عمر"),
    }


def test_two_members_chat_in_arabic_in_real_time(asgi_server, new_page, members, artifacts_dir):
    conversation = services.space_conversation_get_or_create(space=members["space"])
    chat_url = f"{asgi_server.url}{reverse('chat:conversation-detail', args=[conversation.public_id])}"

    rana, omar = new_page(), new_page()
    for page, username in ((rana, "rana"), (omar, "omar")):
        login(page, asgi_server, username)
        page.goto(chat_url)
        assert html_lang_dir(page) == ("ar", "rtl")
        page.wait_for_selector('#chat-status[data-mode="live"]', timeout=10_000)
        assert "اتصال مباشر" in page.locator("#chat-status").inner_text()

    rana.fill("textarea[name=body]", "مساء الخير يا عمر، هل راجعت مسودة المبادئ الدستورية؟")
    rana.locator("#chat-send button[type=submit]").click()
    omar.wait_for_selector(
        "#chat-messages .chat-message:has-text('هل راجعت مسودة المبادئ الدستورية')", timeout=5_000
    )
    assert omar.url == chat_url  # no reload: it arrived over the websocket

    omar.fill("textarea[name=body]", "نعم، ولدي ملاحظتان على المادة الثالثة.")
    omar.locator("#chat-send button[type=submit]").click()
    rana.wait_for_selector("#chat-messages .chat-message:has-text('لدي ملاحظتان')", timeout=5_000)

    # each message shown once on each side (the sender's own echo is de-duplicated by id), and stored
    for page in (rana, omar):
        assert page.locator("#chat-messages .chat-message").count() == 2
    assert list(Message.objects.order_by("pk").values_list("author__username", flat=True)) == ["rana", "omar"]
    rana.screenshot(path=str(artifacts_dir / "chat-live-ar.png"), full_page=True)

    # a message sent while omar's page is away arrives when he comes back (catch-up by id)
    omar.goto(f"{asgi_server.url}/")
    # (a service runs outside any event loop, as in a request; Playwright keeps one in this thread)
    sender = threading.Thread(
        target=services.message_send,
        kwargs={"actor": members["rana"], "conversation": conversation, "body": "أرسلتها لك أثناء غيابك"},
    )
    sender.start()
    sender.join()
    omar.goto(chat_url)
    omar.wait_for_selector("#chat-messages .chat-message:has-text('أثناء غيابك')", timeout=5_000)
    omar.wait_for_selector('#chat-status[data-mode="live"]', timeout=10_000)
    assert omar.locator("#chat-messages .chat-message").count() == 3


def test_a_live_message_reads_like_a_server_rendered_one(asgi_server, new_page, members):
    """Its time is written as the page writes it, and an @mention keeps its @ before the name."""
    conversation = services.space_conversation_get_or_create(space=members["space"])
    chat_url = f"{asgi_server.url}{reverse('chat:conversation-detail', args=[conversation.public_id])}"
    rana, omar = new_page(), new_page()
    for page, username in ((rana, "rana"), (omar, "omar")):
        login(page, asgi_server, username)
        page.goto(chat_url)
        page.wait_for_selector('#chat-status[data-mode="live"]', timeout=10_000)

    rana.fill("textarea[name=body]", "@omar <b>راجع</b> المادة الثالثة")
    rana.locator("#chat-send button[type=submit]").click()
    live = omar.locator("#chat-messages .chat-message:has-text('المادة الثالثة')")
    live.wait_for(timeout=5_000)
    assert live.locator("bdi.mention").inner_text() == "@omar"
    assert live.locator("b").count() == 0 and "<b>راجع</b>" in live.locator(".chat-body").inner_text()
    live_time = live.locator("time").inner_text()

    omar.reload()
    served = omar.locator("#chat-messages .chat-message:has-text('المادة الثالثة')")
    served.wait_for(timeout=5_000)
    assert served.locator("bdi.mention").inner_text() == "@omar"
    assert live_time == served.locator("time").inner_text()
