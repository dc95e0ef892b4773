/* Passkeys (WebAuthn) on the sign-in, second-step, confirm-access and add-a-passkey pages.
 *
 * No inline script (the CSP allows scripts from 'self' only): each passkey form says what it does in
 * data-passkey, and submitting it (its button [data-passkey-start]) starts the ceremony:
 *   "create": add a passkey; the creation options are in the json_script block named by data-options;
 *   "get":    second step or confirm access; the request options are in the block named by data-options;
 *   "login":  passwordless sign-in; the options are fetched from the form's action (allauth answers a
 *             JSON request with new options and keeps the challenge in the session).
 * The browser's answer goes into the form's hidden "credential" field and the form is posted; the
 * server verifies it (challenge, origin, site, signature) and says so if it refuses. When the browser
 * itself refuses (cancelled, no passkey of this site on the device, not supported), the form's alert
 * [data-passkey-error] says why in the page's language (the form's data-text-* attributes) and
 * nothing is posted. Uses window.webauthnJSON (allauth's mfa/js/webauthn-json.js, loaded before).
 */
(function () {
  "use strict";

  var webauthnJSON = window.webauthnJSON;

  function supported() {
    return !!(webauthnJSON && webauthnJSON.supported());
  }

  function readOptions(form) {
    return JSON.parse(document.getElementById(form.dataset.options).textContent);
  }

  function fetchLoginOptions(form) {
    return fetch(form.action, {
      method: "GET",
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("passkey options: " + response.status);
      }
      return response.json();
    }).then(function (data) {
      return data.request_options;
    });
  }

  // As allauth's own script does: a passkey for passwordless sign-in must be a resident ("discoverable")
  // credential, verified by the device (PIN, fingerprint, face); otherwise it is a second factor only.
  function creationOptions(form) {
    var options = readOptions(form).creation_options;
    var box = form.querySelector("input[name=passwordless]");
    if (box) {
      var selection = options.publicKey.authenticatorSelection = options.publicKey.authenticatorSelection || {};
      selection.residentKey = box.checked ? "required" : "discouraged";
      selection.requireResidentKey = box.checked;
      if (box.checked) {
        selection.userVerification = "required";
      }
    }
    return options;
  }

  function explain(form, error) {
    var text = form.dataset;
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return form.dataset.passkey === "create" ? text.textCancelledCreate : text.textCancelled;
    }
    if (name === "InvalidStateError") {
      return text.textAlreadyAdded;
    }
    if (name === "SecurityError" || name === "NotSupportedError") {
      return text.textUnavailable;
    }
    return text.textFailed;
  }

  function showError(form, message) {
    var box = form.querySelector("[data-passkey-error]");
    box.textContent = message;
    box.hidden = false;
    box.focus();
  }

  function clearError(form) {
    var box = form.querySelector("[data-passkey-error]");
    box.textContent = "";
    box.hidden = true;
  }

  function ceremony(form) {
    var kind = form.dataset.passkey;
    if (kind === "create") {
      return webauthnJSON.create(creationOptions(form));
    }
    if (kind === "get") {
      return webauthnJSON.get(readOptions(form).request_options);
    }
    return fetchLoginOptions(form).then(function (options) {
      return webauthnJSON.get(options);
    });
  }

  // The form's submit (its button, or Enter in the name field) runs the ceremony first; the form is
  // then posted with the credential. Without JavaScript the post carries none and the server says so.
  function wire(form) {
    var button = form.querySelector("[data-passkey-start]");
    var field = form.querySelector("input[name=credential]");
    if (!supported()) {
      button.disabled = true;
      showError(form, form.dataset.textUnavailable);
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (button.disabled) {
        return;
      }
      clearError(form);
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      ceremony(form).then(function (credential) {
        field.value = JSON.stringify(credential);
        form.submit();
      }).catch(function (error) {
        button.disabled = false;
        form.removeAttribute("aria-busy");
        showError(form, explain(form, error));
      });
    });
    // Until now the button posts the form without a credential (as without JavaScript).
    form.dataset.passkeyReady = "true";
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-passkey]"), wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
