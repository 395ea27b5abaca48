"""Sign-in with an external provider: OAuth 2.0 (GitHub) and OpenID Connect (LinkedIn).

Both use the authorization code flow with PKCE (S256). The caller keeps the `state`,
`code_verifier` and `nonce` of `start_authorization` (in a short-lived, signed cookie or the
session) and hands them back to `complete_authorization` when the provider redirects to the
callback; this module holds no state of its own except a cache of providers' signing keys.

Nothing here logs, and no exception carries a client secret, an access token or a provider's
raw answer: a failure says which provider failed and, at most, the provider's error code.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
import jwt
from jwt import PyJWK

from jobpilot.auth.config import OAuthProviderSettings
from jobpilot.kit.errors import BadRequest

HTTP_TIMEOUT_SECONDS: Final = 10.0
# Only asymmetric algorithms: this refuses `alg: none` and an HS256 token "signed" with the
# provider's public key used as an HMAC secret.
ID_TOKEN_ALGORITHMS: Final = ("RS256", "ES256")
ID_TOKEN_REQUIRED_CLAIMS: Final = ("exp", "iat", "iss", "aud", "sub")
CLOCK_SKEW_SECONDS: Final = 60
JWKS_TTL_SECONDS: Final = 600.0
# An unknown `kid` usually means the provider rotated its keys, so the key set is fetched again,
# but at most this often per URL (a run of bad tokens must not hammer the provider).
JWKS_MISS_REFETCH_SECONDS: Final = 10.0
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_USER_AGENT: Final = "jobpilot-oauth"


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep until the provider redirects back."""

    url: str
    state: str
    code_verifier: str
    nonce: str | None


@dataclass(frozen=True)
class ExternalIdentity:
    """Who the provider says signed in; `subject` is the provider's stable account id."""

    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


class OAuthFailed(BadRequest):
    """Sign-in with the external provider failed (denied, expired, forged or unreachable)."""

    code = "oauth_failed"
    default_message = "Sign-in with the external provider failed; please try again."


def _fail(provider: str, reason: str, provider_error: str | None = None) -> OAuthFailed:
    """An OAuthFailed whose message and details are safe to show to the user."""
    details: dict[str, str] = {"provider": provider, "reason": reason}
    if provider_error is not None and _ERROR_CODE.fullmatch(provider_error):
        details["provider_error"] = provider_error
    return OAuthFailed(f"Sign-in with {provider} failed: {reason}.", details=details)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(code_verifier: str) -> str:
    """The S256 code challenge of a PKCE verifier (RFC 7636 section 4.2)."""
    return _b64url(hashlib.sha256(code_verifier.encode("ascii")).digest())


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def _require_configured(provider: str, cfg: OAuthProviderSettings) -> None:
    if not cfg.enabled:
        raise _fail(provider, "this provider is not configured")
    if cfg.kind == "oidc" and not (cfg.issuer and cfg.jwks_url):
        raise _fail(provider, "this provider is not configured")


def start_authorization(
    provider: str, cfg: OAuthProviderSettings, redirect_uri: str
) -> AuthorizationRequest:
    """Build the provider's authorization URL with fresh `state`, PKCE verifier and nonce."""
    _require_configured(provider, cfg)
    state = secrets.token_urlsafe(32)
    # 64 random bytes give 86 characters from the unreserved set, inside RFC 7636's 43..128.
    code_verifier = secrets.token_urlsafe(64)
    nonce = secrets.token_urlsafe(32) if cfg.kind == "oidc" else None
    params = {
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(cfg.scopes),
        "state": state,
        "code_challenge": pkce_challenge(code_verifier),
        "code_challenge_method": "S256",
    }
    if nonce is not None:
        params["nonce"] = nonce
    return AuthorizationRequest(
        url=_with_query(cfg.authorize_url, params),
        state=state,
        code_verifier=code_verifier,
        nonce=nonce,
    )


async def complete_authorization(
    provider: str,
    cfg: OAuthProviderSettings,
    *,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    nonce: str | None,
    http: httpx.AsyncClient,
) -> ExternalIdentity:
    """Exchange the authorization code and return the verified identity; OAuthFailed otherwise."""
    _require_configured(provider, cfg)
    if not code:
        raise _fail(provider, "the provider sent no authorization code")
    tokens = await _exchange_code(
        provider, cfg, code=code, code_verifier=code_verifier, redirect_uri=redirect_uri, http=http
    )
    access_token = tokens.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise _fail(provider, "the provider returned no access token")
    token_type = tokens.get("token_type", "bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise _fail(provider, "the provider returned an unsupported token type")
    if cfg.kind == "github":
        return await _github_identity(provider, cfg, access_token, http)
    if nonce is None:
        raise _fail(provider, "the sign-in request had no nonce")
    return await _oidc_identity(provider, cfg, tokens, access_token, nonce, http)


# --- HTTP ---------------------------------------------------------------------------------


async def _send(
    provider: str, http: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response:
    try:
        return await http.request(method, url, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        # httpx messages name the URL and the transport problem, never the form body.
        raise _fail(provider, "the provider could not be reached") from exc


def _json_object(provider: str, response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        raise _fail(provider, f"the provider sent an unreadable {what}") from None
    if not isinstance(document, dict):
        raise _fail(provider, f"the provider sent an unreadable {what}")
    return document


def _error_code(document: dict[str, Any]) -> str | None:
    error = document.get("error")
    return error if isinstance(error, str) else None


async def _exchange_code(
    provider: str,
    cfg: OAuthProviderSettings,
    *,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    http: httpx.AsyncClient,
) -> dict[str, Any]:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": cfg.client_id,
        "client_secret": cfg.client_secret.get_secret_value(),
        "code_verifier": code_verifier,
    }
    response = await _send(
        provider,
        http,
        "POST",
        cfg.token_url,
        data=form,
        headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
    )
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    document: dict[str, Any] | None
    if content_type == "application/x-www-form-urlencoded":
        # GitHub answers form-encoded unless the Accept header is honoured.
        document = dict(parse_qsl(response.text, keep_blank_values=True))
    else:
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        document = parsed if isinstance(parsed, dict) else None
    if not response.is_success:
        error = _error_code(document) if document is not None else None
        raise _fail(provider, "the provider refused the authorization code", error)
    if document is None:
        raise _fail(provider, "the provider sent an unreadable token response")
    # GitHub reports a bad code with 200 and an `error` field.
    error = _error_code(document)
    if error is not None:
        raise _fail(provider, "the provider refused the authorization code", error)
    return document


async def _get_json(
    provider: str, http: httpx.AsyncClient, url: str, access_token: str, what: str, **headers: str
) -> Any:
    response = await _send(
        provider,
        http,
        "GET",
        url,
        headers={
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/json",
            "User-Agent": _USER_AGENT,
            **headers,
        },
    )
    if not response.is_success:
        raise _fail(provider, f"the provider refused to send the {what}")
    try:
        return response.json()
    except ValueError:
        raise _fail(provider, f"the provider sent an unreadable {what}") from None


# --- GitHub -------------------------------------------------------------------------------

_GITHUB_HEADERS: Final = {
    "Accept": "application/vnd.github+json",
    "X-GitHub-Api-Version": "2022-11-28",
}


async def _github_identity(
    provider: str, cfg: OAuthProviderSettings, access_token: str, http: httpx.AsyncClient
) -> ExternalIdentity:
    user = await _get_json(
        provider, http, cfg.userinfo_url, access_token, "profile", **_GITHUB_HEADERS
    )
    if not isinstance(user, dict):
        raise _fail(provider, "the provider sent an unreadable profile")
    account_id = user.get("id")
    # bool is an int subclass; a GitHub account id is a positive integer.
    if not isinstance(account_id, int) or isinstance(account_id, bool) or account_id <= 0:
        raise _fail(provider, "the provider sent a profile without an account id")
    name = _text(user.get("name")) or _text(user.get("login"))
    # The public profile email is never treated as verified; /user/emails says which one is.
    email, verified = _text(user.get("email")), False
    if cfg.emails_url:
        emails = await _get_json(
            provider, http, cfg.emails_url, access_token, "email addresses", **_GITHUB_HEADERS
        )
        if not isinstance(emails, list):
            raise _fail(provider, "the provider sent unreadable email addresses")
        primary = [
            entry
            for entry in emails
            if isinstance(entry, dict)
            and entry.get("primary") is True
            and _text(entry.get("email"))
        ]
        chosen = next((e for e in primary if e.get("verified") is True), None)
        if chosen is not None:
            email, verified = _text(chosen.get("email")), True
        elif primary:
            email, verified = _text(primary[0].get("email")), False
    return ExternalIdentity(
        provider=provider,
        subject=str(account_id),
        email=email,
        email_verified=verified,
        name=name,
    )


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


# --- OpenID Connect -----------------------------------------------------------------------


class _KeySet:
    """One provider's signing keys by `kid`, and when they were fetched."""

    def __init__(self) -> None:
        self.keys: dict[str, PyJWK] = {}
        self.fetched_at = float("-inf")
        self.miss_refetched_at = float("-inf")


_jwks_cache: dict[str, _KeySet] = {}


def reset_jwks_cache() -> None:
    """Forget every cached provider key set (after a key compromise, and between tests)."""
    _jwks_cache.clear()


async def _fetch_jwks(provider: str, url: str, http: httpx.AsyncClient) -> dict[str, PyJWK]:
    response = await _send(
        provider,
        http,
        "GET",
        url,
        headers={"Accept": "application/json", "User-Agent": _USER_AGENT},
    )
    if not response.is_success:
        raise _fail(provider, "the provider's signing keys could not be fetched")
    document = _json_object(provider, response, "key set")
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise _fail(provider, "the provider sent an unreadable key set")
    keys: dict[str, PyJWK] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            key = PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue  # a key of a type we do not accept is not an error of the whole set
        if key.algorithm_name in ID_TOKEN_ALGORITHMS:
            keys[kid] = key
    return keys


async def _signing_key(provider: str, url: str, kid: str, http: httpx.AsyncClient) -> PyJWK | None:
    entry = _jwks_cache.setdefault(url, _KeySet())
    now = time.monotonic()
    if now - entry.fetched_at > JWKS_TTL_SECONDS:
        entry.keys = await _fetch_jwks(provider, url, http)
        entry.fetched_at = now
    elif kid not in entry.keys and now - entry.miss_refetched_at > JWKS_MISS_REFETCH_SECONDS:
        entry.miss_refetched_at = now
        entry.keys = await _fetch_jwks(provider, url, http)
        entry.fetched_at = now
    return entry.keys.get(kid)


async def _verify_id_token(
    provider: str,
    cfg: OAuthProviderSettings,
    id_token: str,
    nonce: str,
    http: httpx.AsyncClient,
) -> dict[str, Any]:
    if cfg.issuer is None or cfg.jwks_url is None:
        raise _fail(provider, "this provider is not configured")
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise _fail(provider, "the provider sent an unreadable ID token") from None
    kid = header.get("kid")
    if header.get("alg") not in ID_TOKEN_ALGORITHMS or not isinstance(kid, str):
        raise _fail(provider, "the ID token is not signed with an accepted algorithm")
    key = await _signing_key(provider, cfg.jwks_url, kid, http)
    if key is None:
        raise _fail(provider, "the ID token is signed with an unknown key")
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key=key,
            algorithms=list(ID_TOKEN_ALGORITHMS),
            audience=cfg.client_id,
            issuer=cfg.issuer,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": list(ID_TOKEN_REQUIRED_CLAIMS)},
        )
    except jwt.ExpiredSignatureError:
        raise _fail(provider, "the ID token has expired") from None
    except jwt.InvalidAudienceError:
        raise _fail(provider, "the ID token was issued to another application") from None
    except jwt.InvalidIssuerError:
        raise _fail(provider, "the ID token was issued by someone else") from None
    except jwt.InvalidSignatureError:
        raise _fail(provider, "the ID token signature is invalid") from None
    except jwt.PyJWTError:
        raise _fail(provider, "the ID token is invalid") from None
    audience = claims["aud"]
    if isinstance(audience, list) and set(audience) != {cfg.client_id}:
        # OIDC Core 3.1.3.7: other audiences this client does not trust mean someone else's token.
        raise _fail(provider, "the ID token was issued to another application")
    token_nonce = claims.get("nonce")
    if not isinstance(token_nonce, str) or not secrets.compare_digest(
        token_nonce.encode(), nonce.encode()
    ):
        raise _fail(provider, "the ID token does not belong to this sign-in")
    if not _text(claims.get("sub")):
        raise _fail(provider, "the ID token names no account")
    return claims


def _claims_verified(value: object) -> bool:
    # LinkedIn sends the string "true" in the ID token and a boolean from userinfo.
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() == "true"


def _claims_name(claims: dict[str, Any]) -> str | None:
    name = _text(claims.get("name"))
    if name:
        return name
    parts = [_text(claims.get("given_name")), _text(claims.get("family_name"))]
    return " ".join(p for p in parts if p) or None


async def _oidc_identity(
    provider: str,
    cfg: OAuthProviderSettings,
    tokens: dict[str, Any],
    access_token: str,
    nonce: str,
    http: httpx.AsyncClient,
) -> ExternalIdentity:
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise _fail(provider, "the provider returned no ID token")
    claims = await _verify_id_token(provider, cfg, id_token, nonce, http)
    subject = str(claims["sub"]).strip()
    email = _text(claims.get("email"))
    verified = _claims_verified(claims.get("email_verified")) if email else False
    name = _claims_name(claims)
    if email is None or name is None:
        info = await _get_json(provider, http, cfg.userinfo_url, access_token, "profile")
        if not isinstance(info, dict):
            raise _fail(provider, "the provider sent an unreadable profile")
        # Userinfo is not signed: it only counts when it describes the ID token's account.
        if _text(info.get("sub")) != subject:
            raise _fail(provider, "the profile does not match the ID token")
        if email is None:
            email = _text(info.get("email"))
            verified = _claims_verified(info.get("email_verified")) if email else False
        if name is None:
            name = _claims_name(info)
    return ExternalIdentity(
        provider=provider,
        subject=subject,
        email=email,
        email_verified=verified,
        name=name,
    )
