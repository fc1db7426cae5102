"""A software passkey: an ES256 authenticator built from fido2's data classes and
``cryptography``, answering WebAuthn options as a browser would (no attestation)."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticationResponse,
    AuthenticatorAssertionResponse,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

ORIGIN = "https://testserver"  # the test client's host is the relying party
FLAG = AuthenticatorData.FLAG


class SoftPasskey:
    def __init__(self, origin: str = ORIGIN) -> None:
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle: bytes | None = None
        self.counter = 0

    def create(self, options: dict[str, Any], *, resident: bool = False) -> dict[str, Any]:
        """The answer to ``navigator.credentials.create({publicKey: ...})``."""
        public = options["publicKey"]
        self.user_handle = websafe_decode(public["user"]["id"])
        client_data = CollectedClientData.create(
            "webauthn.create", websafe_decode(public["challenge"]), self.origin
        )
        credential = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        auth_data = AuthenticatorData.create(
            _rp_hash(public["rp"]["id"]), FLAG.UP | FLAG.UV | FLAG.AT, 0, credential
        )
        response = RegistrationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAttestationResponse(
                client_data=client_data,
                attestation_object=AttestationObject.create("none", auth_data, {}),
            ),
            client_extension_results={"credProps": {"rk": resident}},
        )
        return dict(response)

    def get(
        self, options: dict[str, Any], *, verified: bool = True, key: Any = None
    ) -> dict[str, Any]:
        """The answer to ``navigator.credentials.get({publicKey: ...})``; ``key``: sign
        with another key (a forgery)."""
        public = options["publicKey"]
        client_data = CollectedClientData.create(
            "webauthn.get", websafe_decode(public["challenge"]), self.origin
        )
        self.counter += 1
        flags = FLAG.UP | (FLAG.UV if verified else 0)
        auth_data = AuthenticatorData.create(_rp_hash(public["rpId"]), flags, self.counter)
        signature = (key or self.key).sign(auth_data + client_data.hash, ec.ECDSA(hashes.SHA256()))
        response = AuthenticationResponse(
            raw_id=self.credential_id,
            response=AuthenticatorAssertionResponse(
                client_data=client_data,
                authenticator_data=auth_data,
                signature=signature,
                user_handle=self.user_handle,
            ),
        )
        return dict(response)


def _rp_hash(rp_id: str) -> bytes:
    return hashlib.sha256(rp_id.encode()).digest()
