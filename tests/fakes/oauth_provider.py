"""A local OAuth 2.0 / OpenID Connect provider speaking GitHub's and LinkedIn's real protocols.

It runs a Starlette app under uvicorn in a background thread on 127.0.0.1 (a free port):

    with FakeOAuthProvider() as provider:
        github = provider.github_settings("gh-client", "gh-secret")
        linkedin = provider.linkedin_settings("li-client", "li-secret")
        provider.approve_as(FakeUser(subject="42", email="ada@example.com"))
        ...

Authorization is approved at once for the user set with `approve_as` (no login page), and the
server checks what the real providers check: the client id and secret, the redirect URI, the
PKCE S256 verifier, single use of the code, bearer tokens. Knobs (`fail_next_token_exchange`,
`tamper_next_id_token`, ...) make the next answer go wrong the way a broken or hostile provider
would. It computes PKCE and signs tokens itself, never with the code under test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from fakes.local_server import ServedApp
from jobpilot.auth.config import OAuthProviderSettings

LINKEDIN_ISSUER = "https://www.linkedin.com/oauth"
CODE_LIFETIME_SECONDS = 600
ID_TOKEN_LIFETIME_SECONDS = 300

Provider = Literal["github", "linkedin"]
IdTokenTamper = Literal[
    "foreign_key",  # signed by another key, under the published `kid`
    "unknown_kid",  # signed by another key, under a `kid` the JWKS does not list
    "alg_none",  # unsigned, `alg: none`
    "hs256",  # HMAC-"signed" with the public key as the secret (algorithm confusion)
    "expired",
    "wrong_aud",
    "wrong_iss",
    "wrong_nonce",
    "no_nonce",
]


@dataclass(frozen=True)
class FakeUser:
    """The account the provider signs in; `subject` must be digits for GitHub."""

    subject: str = "5811234"
    email: str | None = "ada@example.com"
    email_verified: bool = True
    name: str | None = "Ada Lovelace"
    login: str = "ada"
    # GitHub's /user/emails; None means one primary address built from email/email_verified.
    emails: list[dict[str, Any]] | None = None
    # GitHub's public profile email (`email` of /user), usually null.
    public_email: str | None = None

    def github_emails(self) -> list[dict[str, Any]]:
        if self.emails is not None:
            return self.emails
        if self.email is None:
            return []
        return [
            {
                "email": self.email,
                "primary": True,
                "verified": self.email_verified,
                "visibility": "private",
            }
        ]

    def name_parts(self) -> tuple[str | None, str | None]:
        if not self.name:
            return None, None
        given, _, family = self.name.partition(" ")
        return given, family or None


@dataclass
class _Grant:
    provider: Provider
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    user: FakeUser
    expires_at: float = field(default_factory=lambda: time.monotonic() + CODE_LIFETIME_SECONDS)


@dataclass
class _SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> _SigningKey:
        return cls(
            kid=secrets.token_hex(8),
            private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        )

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _b64json(value: dict[str, Any]) -> bytes:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _add_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("content-type", "").split(";")[0].strip() != (
        "application/x-www-form-urlencoded"
    ):
        return {}
    body = (await request.body()).decode("utf-8", "replace")
    return dict(parse_qsl(body, keep_blank_values=True))


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    # GitHub also accepts the older `token` scheme.
    if scheme.lower() not in {"bearer", "token"} or not token.strip():
        return None
    return token.strip()


class FakeOAuthProvider(ServedApp):
    """GitHub OAuth and LinkedIn OpenID Connect on one local uvicorn server."""

    thread_name = "fake-oauth-provider"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._initial_key = _SigningKey.generate()
        self._clients: dict[tuple[Provider, str], str] = {}
        self.app = Starlette(routes=self._routes())
        self.reset()

    def reset(self) -> None:
        """Forget codes, tokens and knobs; approve the default user; keep clients and URL."""
        with self._lock:
            self._user = FakeUser()
            self._codes: dict[str, _Grant] = {}
            self._tokens: dict[str, _Grant] = {}
            self._keys = [self._initial_key]
            self._token_error: str | None = None
            self._deny_next = False
            self._tamper: IdTokenTamper | None = None
            self._omit: set[str] = set()
            self._userinfo_sub: str | None = None
            # Answer GitHub token requests form-encoded even when JSON is asked for.
            self.github_ignores_accept = False
            self.last_authorization: dict[str, str] = {}
            self.hits: Counter[str] = Counter()

    # --- configuration for the code under test --------------------------------------------

    def register_client(self, provider: Provider, client_id: str, secret: str) -> None:
        """Accept `client_id` with `secret` at `provider`."""
        with self._lock:
            self._clients[(provider, client_id)] = secret

    def github_settings(
        self, client_id: str = "gh-client", secret: str = "gh-secret"
    ) -> OAuthProviderSettings:
        """Settings for GitHub pointing at this server (registers the client)."""
        self.register_client("github", client_id, secret)
        base = f"{self.base_url}/github"
        return OAuthProviderSettings(
            kind="github",
            client_id=client_id,
            client_secret=SecretStr(secret),
            authorize_url=f"{base}/login/oauth/authorize",
            token_url=f"{base}/login/oauth/access_token",
            userinfo_url=f"{base}/api/user",
            emails_url=f"{base}/api/user/emails",
            scopes=["read:user", "user:email"],
        )

    def linkedin_settings(
        self, client_id: str = "li-client", secret: str = "li-secret"
    ) -> OAuthProviderSettings:
        """Settings for LinkedIn (OIDC) pointing at this server (registers the client)."""
        self.register_client("linkedin", client_id, secret)
        base = f"{self.base_url}/linkedin"
        return OAuthProviderSettings(
            kind="oidc",
            client_id=client_id,
            client_secret=SecretStr(secret),
            authorize_url=f"{base}/oauth/v2/authorization",
            token_url=f"{base}/oauth/v2/accessToken",
            userinfo_url=f"{base}/v2/userinfo",
            issuer=LINKEDIN_ISSUER,
            jwks_url=f"{base}/oauth/openid/jwks",
            scopes=["openid", "profile", "email"],
        )

    # --- knobs ----------------------------------------------------------------------------

    def approve_as(self, user: FakeUser) -> None:
        """The account that authorizations approve from now on."""
        with self._lock:
            self._user = user

    def deny_next_authorization(self) -> None:
        """The next authorization redirects back with `error=access_denied`."""
        with self._lock:
            self._deny_next = True

    def fail_next_token_exchange(self, error: str = "bad_verification_code") -> None:
        """The next token request fails with `error` (GitHub: 200 + error; LinkedIn: 400)."""
        with self._lock:
            self._token_error = error

    def tamper_next_id_token(self, how: IdTokenTamper) -> None:
        """The next LinkedIn ID token is forged or invalid in the way `how` says."""
        with self._lock:
            self._tamper = how

    def omit_from_next_id_token(self, *claims: str) -> None:
        """Leave `claims` out of the next ID token (so the client must ask userinfo)."""
        with self._lock:
            self._omit = set(claims)

    def next_userinfo_subject(self, subject: str) -> None:
        """The next LinkedIn userinfo answer names another account."""
        with self._lock:
            self._userinfo_sub = subject

    def rotate_signing_key(self) -> None:
        """Publish a new key first in the JWKS and sign ID tokens with it from now on."""
        with self._lock:
            self._keys = [_SigningKey.generate(), *self._keys]

    # --- endpoints ------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/github/login/oauth/authorize", self._github_authorize, methods=["GET"]),
            Route("/github/login/oauth/access_token", self._github_token, methods=["POST"]),
            Route("/github/api/user", self._github_user, methods=["GET"]),
            Route("/github/api/user/emails", self._github_emails, methods=["GET"]),
            Route("/linkedin/oauth/v2/authorization", self._linkedin_authorize, methods=["GET"]),
            Route("/linkedin/oauth/v2/accessToken", self._linkedin_token, methods=["POST"]),
            Route("/linkedin/oauth/openid/jwks", self._linkedin_jwks, methods=["GET"]),
            Route("/linkedin/v2/userinfo", self._linkedin_userinfo, methods=["GET"]),
        ]

    async def _github_authorize(self, request: Request) -> Response:
        return self._authorize("github", request)

    async def _linkedin_authorize(self, request: Request) -> Response:
        return self._authorize("linkedin", request)

    def _authorize(self, provider: Provider, request: Request) -> Response:
        query = dict(request.query_params)
        with self._lock:
            self.hits[f"{provider}.authorize"] += 1
            self.last_authorization = query
            client_id = query.get("client_id", "")
            redirect_uri = query.get("redirect_uri", "")
            # Like the real ones, an unknown client or a bad redirect URI gets an error page:
            # redirecting would hand the user to an unverified site.
            if (provider, client_id) not in self._clients:
                return PlainTextResponse("unknown client_id", status_code=400)
            if urlsplit(redirect_uri).scheme not in {"http", "https"}:
                return PlainTextResponse("invalid redirect_uri", status_code=400)

            state = query.get("state", "")

            def back(**params: str) -> Response:
                if state:
                    params["state"] = state
                return RedirectResponse(_add_query(redirect_uri, params), status_code=302)

            if not state:
                return back(error="invalid_request", error_description="state is required")
            if query.get("response_type", "code" if provider == "github" else "") != "code":
                return back(error="unsupported_response_type")
            challenge = query.get("code_challenge", "")
            if query.get("code_challenge_method") != "S256" or len(challenge) != 43:
                return back(error="invalid_request", error_description="PKCE S256 is required")
            if provider == "linkedin" and "openid" not in query.get("scope", "").split():
                return back(error="invalid_scope", error_description="openid is required")
            if self._deny_next:
                self._deny_next = False
                return back(error="access_denied", error_description="The user denied access")
            code = secrets.token_urlsafe(24)
            self._codes[code] = _Grant(
                provider=provider,
                client_id=client_id,
                redirect_uri=redirect_uri,
                code_challenge=challenge,
                nonce=query.get("nonce"),
                user=self._user,
            )
        return back(code=code)

    def _redeem(self, provider: Provider, form: dict[str, str]) -> tuple[_Grant | None, str]:
        """The grant of a valid code (consumed on any use), else the OAuth error code."""
        client_id = form.get("client_id", "")
        expected_secret = self._clients.get((provider, client_id))
        if expected_secret is None or not hmac.compare_digest(
            expected_secret.encode(), form.get("client_secret", "").encode()
        ):
            return (
                None,
                "incorrect_client_credentials" if provider == "github" else "invalid_client",
            )
        grant = self._codes.pop(form.get("code", ""), None)
        bad_code = "bad_verification_code" if provider == "github" else "invalid_request"
        if grant is None or grant.provider != provider or grant.client_id != client_id:
            return None, bad_code
        if time.monotonic() > grant.expires_at:
            return None, bad_code
        if form.get("redirect_uri", "") != grant.redirect_uri:
            return None, "redirect_uri_mismatch" if provider == "github" else "invalid_request"
        verifier = form.get("code_verifier", "")
        if not 43 <= len(verifier) <= 128 or not hmac.compare_digest(
            _s256(verifier), grant.code_challenge
        ):
            return None, bad_code
        return grant, ""

    def _issue_access_token(self, prefix: str, grant: _Grant) -> str:
        token = prefix + secrets.token_urlsafe(30)
        self._tokens[token] = grant
        return token

    async def _github_token(self, request: Request) -> Response:
        form = await _form(request)
        with self._lock:
            self.hits["github.token"] += 1
            forced, self._token_error = self._token_error, None
            grant, error = (None, forced) if forced else self._redeem("github", form)
            body: dict[str, str]
            if grant is None:
                body = {
                    "error": error,
                    "error_description": "The code passed is incorrect or expired.",
                    "error_uri": "https://docs.github.com/apps/oauth-apps/maintaining-oauth-apps/"
                    "troubleshooting-oauth-app-access-token-request-errors",
                }
            else:
                body = {
                    "access_token": self._issue_access_token("gho_", grant),
                    "token_type": "bearer",
                    "scope": "read:user,user:email",
                }
        # GitHub answers 200 either way, form-encoded unless JSON is asked for.
        wants_json = "application/json" in request.headers.get("accept", "")
        if wants_json and not self.github_ignores_accept:
            return JSONResponse(body)
        return Response(urlencode(body), media_type="application/x-www-form-urlencoded")

    def _grant_for(self, provider: Provider, request: Request) -> _Grant | None:
        token = _bearer(request)
        grant = self._tokens.get(token) if token else None
        return grant if grant is not None and grant.provider == provider else None

    async def _github_user(self, request: Request) -> Response:
        with self._lock:
            self.hits["github.user"] += 1
            grant = self._grant_for("github", request)
        if grant is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        user = grant.user
        return JSONResponse(
            {
                "login": user.login,
                "id": int(user.subject),
                "node_id": f"U_{user.subject}",
                "avatar_url": f"https://avatars.githubusercontent.com/u/{user.subject}",
                "type": "User",
                "name": user.name,
                "email": user.public_email,
            }
        )

    async def _github_emails(self, request: Request) -> Response:
        with self._lock:
            self.hits["github.emails"] += 1
            grant = self._grant_for("github", request)
        if grant is None:
            return JSONResponse({"message": "Bad credentials"}, status_code=401)
        return JSONResponse(grant.user.github_emails())

    async def _linkedin_token(self, request: Request) -> Response:
        form = await _form(request)
        with self._lock:
            self.hits["linkedin.token"] += 1
            forced, self._token_error = self._token_error, None
            if forced:
                grant, error = None, forced
            elif form.get("grant_type") != "authorization_code":
                grant, error = None, "unsupported_grant_type"
            else:
                grant, error = self._redeem("linkedin", form)
            if grant is None:
                status = 401 if error == "invalid_client" else 400
                description = "Unable to retrieve access token: authorization code is invalid."
                return JSONResponse(
                    {"error": error, "error_description": description}, status_code=status
                )
            tamper, self._tamper = self._tamper, None
            omit, self._omit = self._omit, set()
            return JSONResponse(
                {
                    "access_token": self._issue_access_token("AQ", grant),
                    "expires_in": 5_184_000,
                    "scope": "email,openid,profile",
                    "token_type": "Bearer",
                    "id_token": self._id_token(grant, tamper, omit),
                }
            )

    def _id_token(self, grant: _Grant, tamper: IdTokenTamper | None, omit: set[str]) -> str:
        user = grant.user
        given, family = user.name_parts()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": LINKEDIN_ISSUER,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_LIFETIME_SECONDS,
            "sub": user.subject,
            "name": user.name,
            "given_name": given,
            "family_name": family,
            "picture": f"https://media.licdn.com/dms/image/{user.subject}",
            "email": user.email,
            # LinkedIn puts a string here, not a JSON boolean.
            "email_verified": "true" if user.email_verified else "false",
            "locale": "en_US",
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        claims = {k: v for k, v in claims.items() if v is not None and k not in omit}
        if user.email is None or "email" in omit:
            claims.pop("email_verified", None)
        match tamper:
            case "expired":
                claims["iat"], claims["exp"] = now - 900, now - 600
            case "wrong_aud":
                claims["aud"] = "some-other-client"
            case "wrong_iss":
                claims["iss"] = "https://evil.example/oauth"
            case "wrong_nonce":
                claims["nonce"] = secrets.token_urlsafe(32)
            case "no_nonce":
                claims.pop("nonce", None)
        key = self._keys[0]
        match tamper:
            case "alg_none":
                header = {"alg": "none", "typ": "JWT", "kid": key.kid}
                return f"{_b64json(header).decode()}.{_b64json(claims).decode()}."
            case "hs256":
                header = {"alg": "HS256", "typ": "JWT", "kid": key.kid}
                signing_input = _b64json(header) + b"." + _b64json(claims)
                mac = hmac.new(key.public_pem(), signing_input, hashlib.sha256).digest()
                return (signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")).decode()
            case "foreign_key":
                key = _SigningKey(kid=key.kid, private_key=_SigningKey.generate().private_key)
            case "unknown_kid":
                key = _SigningKey.generate()
        return jwt.encode(
            claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "typ": "JWT"}
        )

    async def _linkedin_jwks(self, request: Request) -> Response:
        with self._lock:
            self.hits["linkedin.jwks"] += 1
            keys = [key.jwk() for key in self._keys]
        return JSONResponse({"keys": keys})

    async def _linkedin_userinfo(self, request: Request) -> Response:
        with self._lock:
            self.hits["linkedin.userinfo"] += 1
            grant = self._grant_for("linkedin", request)
            subject_override, self._userinfo_sub = self._userinfo_sub, None
        if grant is None:
            return JSONResponse(
                {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401},
                status_code=401,
            )
        user = grant.user
        given, family = user.name_parts()
        info: dict[str, Any] = {
            "sub": subject_override or user.subject,
            "email_verified": user.email_verified,
            "name": user.name,
            "locale": {"country": "US", "language": "en"},
            "given_name": given,
            "family_name": family,
            "email": user.email,
            "picture": f"https://media.licdn.com/dms/image/{user.subject}",
        }
        return JSONResponse({k: v for k, v in info.items() if v is not None})
