"""A software passkey for tests: one resident ES256 credential that answers the options the pages give
the browser, as a browser with a platform authenticator would (fido2's own data types build the
answers, so the server's fido2 verifies them exactly as it verifies a real device's)."""

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256, websafe_decode, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

SITE = "https://cssr.test"
RP_ID = "cssr.test"
FLAGS = AuthenticatorData.FLAG


class SoftPasskey:
    """One resident ES256 credential, answering creation and request options as a browser would."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle = None
        self.sign_count = 0

    def create(self, options, *, rp_id=RP_ID, origin=SITE, user_verified=True):
        public_key = options["publicKey"]
        self.user_handle = websafe_decode(public_key["user"]["id"])
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=websafe_decode(public_key["challenge"]), origin=origin
        )
        flags = FLAGS.UP | FLAGS.AT | (FLAGS.UV if user_verified else 0)
        attested = AttestedCredentialData.create(
            Aaguid.NONE, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        auth_data = AuthenticatorData.create(sha256(rp_id.encode()), flags, 0, attested)
        attestation = AttestationObject.create("none", auth_data, {})
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(attestation),
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, options, *, rp_id=RP_ID, origin=SITE, user_handle=None):
        public_key = options["publicKey"]
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=websafe_decode(public_key["challenge"]), origin=origin
        )
        self.sign_count += 1
        auth_data = AuthenticatorData.create(sha256(rp_id.encode()), FLAGS.UP | FLAGS.UV, self.sign_count)
        signature = self.key.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(user_handle or self.user_handle),
            },
            "clientExtensionResults": {},
        }


def stored_passkey(user, name="هاتفي"):
    """An allauth WebAuthn authenticator of `user`, as if added through the page (for fixtures)."""
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.models import Authenticator

    options = {
        "publicKey": {
            "user": {"id": websafe_encode(user_pk_to_url_str(user).encode())},
            "challenge": websafe_encode(os.urandom(32)),
        }
    }
    credential = SoftPasskey().create(options)
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": credential}
    )
