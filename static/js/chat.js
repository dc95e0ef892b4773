/* The live chat on a conversation page (templates/chat/conversation_detail.html).
 *
 * The page works without this file: history is server-rendered and the form posts normally. With it:
 * a websocket (/ws/chat/<uuid>/) delivers new, edited and deleted messages; after every (re)connect the
 * page asks for everything after the last message id it holds ({"type": "since"}), and messages are
 * de-duplicated by id. When websockets fail (blocked by some networks), the page polls the JSON
 * "since" endpoint and says so. Close codes: 4401 signed out, 4403 no access, 4408 session ended
 * (reconnect and re-authorise), 4429 flooding, 1009 frame too big.
 */
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root || root.dataset.latestPage !== "1") {
    return;
  }
  var list = document.getElementById("chat-messages");
  var statusLine = document.getElementById("chat-status");
  var form = document.getElementById("chat-send");
  var me = parseInt(root.dataset.user, 10);
  var lastId = parseInt(root.dataset.lastId, 10) || 0;
  var seen = {};
  var socket = null;
  var attempts = 0;
  var failures = 0;
  var polling = null;
  var stopped = false;
  var pending = {};
  var readTimer = null;
  var text = root.dataset;

  Array.prototype.forEach.call(list.querySelectorAll(".chat-message"), function (node) {
    seen[node.dataset.id] = true;
  });

  function setStatus(message, kind) {
    statusLine.textContent = message;
    statusLine.dataset.mode = kind;
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // @mentions as the server writes them (cssr/text.py): isolated in <bdi class="mention"> so the @
  // stays before the name in right-to-left text. Not after a letter, digit or "/" (e-mail, URL).
  var MENTION = /@([A-Za-z0-9._+-]{1,150})/g;
  var BEFORE_MENTION = /[\p{L}\p{N}_\/]/u;

  function fillBody(node, body) {
    var start = 0;
    var match;
    MENTION.lastIndex = 0;
    while ((match = MENTION.exec(body)) !== null) {
      var name = match[1].replace(/\.+$/, "");
      if (!name || (match.index > 0 && BEFORE_MENTION.test(body.charAt(match.index - 1)))) {
        continue;
      }
      appendLines(node, body.slice(start, match.index));
      var mention = document.createElement("bdi");
      mention.className = "mention";
      mention.textContent = "@" + name;
      node.appendChild(mention);
      start = match.index + 1 + name.length;
      MENTION.lastIndex = start;
    }
    appendLines(node, body.slice(start));
  }

  function appendLines(node, part) {
    part.split(/\r?\n/).forEach(function (line, index) {
      if (index > 0) {
        node.appendChild(document.createElement("br"));
      }
      if (line) {
        node.appendChild(document.createTextNode(line));
      }
    });
  }

  function render(message) {
    var item = document.createElement("li");
    item.className = "chat-message" + (message.author_id === me ? " chat-message-own" : "");
    item.id = "message-" + message.id;
    item.dataset.id = String(message.id);
    var meta = document.createElement("div");
    meta.className = "chat-meta small text-body-secondary";
    var author = document.createElement("span");
    author.className = "chat-author fw-semibold";
    author.dir = "auto";
    author.textContent = message.author;
    var time = document.createElement("time");
    time.dateTime = message.created_at;
    // The server writes the time as the page does (the reader's language, format and time zone).
    time.textContent = message.created_text || new Date(message.created_at).toLocaleString(document.documentElement.lang);
    meta.appendChild(author);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    if (message.edited && !message.deleted) {
      var edited = document.createElement("span");
      edited.className = "chat-edited";
      edited.textContent = " (" + text.textEdited + ")";
      meta.appendChild(edited);
    }
    item.appendChild(meta);
    if (message.reply_to) {
      var quote = document.createElement("blockquote");
      quote.className = "chat-reply small border-start border-3 ps-2 mb-1";
      quote.dir = "auto";
      var link = document.createElement("a");
      link.href = "#message-" + message.reply_to.id;
      link.textContent = text.textReplyTo + " " + message.reply_to.author;
      quote.appendChild(link);
      quote.appendChild(document.createTextNode(": " + (message.reply_to.excerpt || text.textDeleted)));
      item.appendChild(quote);
    }
    var body = document.createElement("p");
    body.className = "chat-body mb-1" + (message.deleted ? " chat-deleted fst-italic text-body-secondary" : "");
    body.dir = "auto";
    if (message.deleted) {
      body.textContent = text.textDeleted;
    } else {
      fillBody(body, message.body);
    }
    item.appendChild(body);
    if (message.attachment && !message.deleted) {
      var attached = document.createElement("p");
      attached.className = "chat-attachment small mb-1";
      attached.appendChild(document.createTextNode(text.textAttachment + " "));
      var target = document.createElement(message.attachment.url ? "a" : "span");
      if (message.attachment.url) {
        target.href = message.attachment.url;
      }
      target.dir = "auto";
      target.textContent = message.attachment.title;
      attached.appendChild(target);
      item.appendChild(attached);
    }
    return item;
  }

  function add(message) {
    if (seen[message.id]) {
      return;
    }
    seen[message.id] = true;
    var empty = list.querySelector(".chat-empty");
    if (empty) {
      empty.remove();
    }
    list.appendChild(render(message));
    if (message.id > lastId) {
      lastId = message.id;
    }
    scheduleRead();
  }

  function replace(message) {
    var node = document.getElementById("message-" + message.id);
    if (node) {
      node.replaceWith(render(message));
    }
  }

  function scheduleRead() {
    if (readTimer) {
      return;
    }
    readTimer = window.setTimeout(function () {
      readTimer = null;
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "read", message_id: lastId }));
      } else {
        var data = new FormData();
        data.append("message", String(lastId));
        fetch(root.dataset.read, {
          method: "POST", body: data, credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        }).catch(function () {});
      }
    }, 800);
  }

  function handle(frame) {
    if (frame.type === "message") {
      add(frame.message);
    } else if (frame.type === "edit" || frame.type === "delete") {
      replace(frame.message);
    } else if (frame.type === "history") {
      frame.messages.forEach(function (message) {
        if (seen[message.id]) {
          replace(message);
        } else {
          add(message);
        }
      });
    } else if (frame.type === "ack") {
      delete pending[frame.client_id];
    } else if (frame.type === "error") {
      showError(frame.message);
    }
  }

  function showError(message) {
    var box = document.getElementById("chat-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "chat-error";
      box.className = "alert alert-warning py-2 mt-2";
      box.setAttribute("role", "alert");
      (form || root).appendChild(box);
    }
    box.textContent = message || text.textError;
  }

  function connect() {
    if (stopped) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    try {
      socket = new WebSocket(scheme + window.location.host + root.dataset.websocket);
    } catch (error) {
      startPolling();
      return;
    }
    socket.onopen = function () {
      opened = true;
      attempts = 0;
      failures = 0;
      stopPolling();
      setStatus(text.textLive, "live");
      socket.send(JSON.stringify({ type: "since", after: lastId }));
    };
    socket.onmessage = function (event) {
      try {
        handle(JSON.parse(event.data));
      } catch (error) {
        /* a frame we cannot read is ignored */
      }
    };
    socket.onclose = function (event) {
      socket = null;
      if (event.code === 4401 || event.code === 4403) {
        stopped = true;
        stopPolling();
        setStatus(text.textEnded, "ended");
        if (form) {
          form.querySelector("button[type=submit]").disabled = true;
        }
        return;
      }
      if (!opened) {
        failures += 1;
      }
      if (failures >= 2) {
        startPolling();  // websockets seem blocked here: poll, and keep trying now and then
      } else {
        setStatus(text.textOffline, "offline");
      }
      attempts += 1;
      var delay = Math.min(30000, 500 * Math.pow(2, attempts)) + Math.random() * 500;
      window.setTimeout(connect, event.code === 4408 ? 200 : delay);
    };
  }

  function poll() {
    fetch(root.dataset.since + "?after=" + lastId, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403 || response.status === 404) {
          stopped = true;
          stopPolling();
          setStatus(text.textEnded, "ended");
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          handle({ type: "history", messages: data.messages });
        }
      })
      .catch(function () {});
  }

  function startPolling() {
    if (polling || stopped) {
      return;
    }
    setStatus(text.textPolling, "polling");
    poll();
    polling = window.setInterval(poll, (parseInt(root.dataset.pollSeconds, 10) || 5) * 1000);
  }

  function stopPolling() {
    if (polling) {
      window.clearInterval(polling);
      polling = null;
    }
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var field = form.querySelector("textarea[name=body]");
      var body = field.value.trim();
      if (!body || !socket || socket.readyState !== WebSocket.OPEN) {
        return;  // no live connection: the form posts normally (the server renders the page again)
      }
      event.preventDefault();
      var replyField = form.querySelector("input[name=reply_to]");
      var replyTo = replyField && replyField.value ? parseInt(replyField.value, 10) : null;
      var attachmentField = form.querySelector("select[name=attachment]");
      var attachment = attachmentField && attachmentField.value ? parseInt(attachmentField.value, 10) : null;
      var clientId = String(Date.now()) + Math.random().toString(16).slice(2);
      pending[clientId] = body;
      socket.send(JSON.stringify({ type: "send", body: body, reply_to: replyTo, attachment: attachment, client_id: clientId }));
      field.value = "";
      if (attachmentField) {
        attachmentField.value = "";
      }
      if (replyField) {
        replyField.value = "";
        var replying = document.getElementById("chat-replying");
        if (replying) {
          replying.remove();
        }
      }
      var box = document.getElementById("chat-error");
      if (box) {
        box.remove();
      }
    });
  }

  if (!("WebSocket" in window)) {
    startPolling();
  } else {
    connect();
  }
})();
