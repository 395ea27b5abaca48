"""Pieces the hand-made hosted forms share: the page shell, walls, widgets' script, checks.

The script gives each page the behaviour its ATS's single-page app has and the browser
submitter must cope with: comboboxes with a listbox, hidden native selects behind a menu
button (BambooHR's Fabric selects), hidden file inputs behind "Attach" buttons, buttons that
reveal the form, steps with "Next" (checked before advancing), and a submit that posts the
values with `fetch` and then follows a redirect, replaces the form with a confirmation, or
shows each field's error next to it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse

from jobpilot.sandbox.core import Sandbox

STYLE = """
body{font-family:sans-serif;margin:0;padding:24px 48px;max-width:760px}
.entry{margin:14px 0;position:relative}
label,legend{display:block;font-weight:600;margin-bottom:4px}
.entry input[type=text],.entry input[type=email],.entry input[type=tel],.entry input[type=url],
.entry input[type=number],.entry textarea{width:100%;padding:6px;box-sizing:border-box}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;
clip:rect(0 0 0 0)}
.combo{position:relative}
.menu{position:absolute;left:0;right:0;z-index:10;background:#fff;border:1px solid #888}
[role=option]{padding:4px 8px;cursor:pointer;font-weight:normal}
[role=option]:hover{background:#eef}
[role=radio]{display:inline-block;padding:4px 12px;border:1px solid #888;margin-right:8px;
font-weight:normal;cursor:pointer}
[role=radio][aria-checked=true]{background:#dde}
[role=radio]{position:relative}
/* Styled radios: the native input lies transparent over its button-like label. */
.radio-input{position:absolute;left:0;top:0;width:100%;height:100%;margin:0;opacity:0;
cursor:pointer}
.field-error{color:#b00}
fieldset{border:0;padding:0;margin:0}
.honeypot{position:absolute;left:-10000px;top:0}
.grecaptcha-badge{width:256px;height:60px;position:fixed;bottom:14px;right:-186px;
overflow:hidden}
"""

SCRIPT = """
(() => {
  const byKey = (root, key) => root.querySelector(
    `[data-field-path="${CSS.escape(key)}"], [name="${CSS.escape(key)}"], ` +
    `[data-field="${CSS.escape(key)}"], [id="${CSS.escape(key)}"]`);
  for (const box of document.querySelectorAll('input[role="combobox"]')) {
    const menu = document.getElementById(box.getAttribute('aria-controls'));
    if (!menu) continue;
    const options = Array.from(menu.querySelectorAll('[role="option"]'));
    const filter = () => {
      const query = box.value.trim().toLowerCase();
      for (const option of options) {
        option.hidden = Boolean(query) && !option.textContent.toLowerCase().includes(query);
      }
    };
    const open = () => {
      menu.hidden = false;
      box.setAttribute('aria-expanded', 'true');
      filter();
    };
    const close = () => { menu.hidden = true; box.setAttribute('aria-expanded', 'false'); };
    box.addEventListener('focus', open);
    box.addEventListener('click', open);
    box.addEventListener('input', () => { delete box.dataset.value; open(); });
    box.addEventListener('blur', close);
    box.addEventListener('keydown', (event) => { if (event.key === 'Escape') close(); });
    for (const option of options) {
      option.addEventListener('mousedown', (event) => {
        event.preventDefault();
        box.value = option.textContent.trim();
        box.dataset.value = option.dataset.value;
        close();
      });
    }
  }
  // A native select kept hidden behind a menu button: the button opens a list of its options.
  for (const select of document.querySelectorAll('select[data-menu]')) {
    const button = document.getElementById(select.dataset.menu);
    const menu = document.getElementById(select.dataset.menu + '-list');
    const show = () => {
      const chosen = select.options[select.selectedIndex];
      button.textContent = chosen && chosen.value ? chosen.text : '--Select--';
    };
    select.addEventListener('change', show);
    button.addEventListener('click', () => { menu.hidden = !menu.hidden; });
    for (const option of menu.querySelectorAll('[role="option"]')) {
      option.addEventListener('click', () => {
        select.value = option.dataset.value;
        select.dispatchEvent(new Event('change', {bubbles: true}));
        menu.hidden = true;
      });
    }
    show();
  }
  for (const radio of document.querySelectorAll('[role="radio"] input[type="radio"]')) {
    radio.addEventListener('change', () => {
      for (const other of document.querySelectorAll(`input[name="${CSS.escape(radio.name)}"]`)) {
        other.closest('[role="radio"]').setAttribute('aria-checked', String(other.checked));
      }
    });
  }
  for (const button of document.querySelectorAll('[data-attach]')) {
    button.addEventListener('click', () => document.getElementById(button.dataset.attach).click());
  }
  for (const input of document.querySelectorAll('input[type="file"][data-shows]')) {
    input.addEventListener('change', () => {
      const note = document.getElementById(input.dataset.shows);
      note.textContent = Array.from(input.files).map((f) => f.name).join(', ');
    });
  }
  for (const button of document.querySelectorAll('[data-open]')) {
    button.addEventListener('click', () => {
      document.getElementById(button.dataset.open).hidden = false;
      button.hidden = true;
    });
  }
  const clearErrors = (root) => {
    for (const old of root.querySelectorAll('.field-error')) old.remove();
  };
  const showError = (form, key, message) => {
    const note = document.createElement('p');
    note.className = 'field-error';
    note.setAttribute('role', 'alert');
    note.textContent = message;
    const anchor = byKey(form, key);
    const wrap = anchor && (anchor.closest('.entry') || anchor.parentElement);
    (wrap || form).appendChild(note);
  };
  const valueOf = (el) => {
    if (el.getAttribute('role') === 'combobox') return el.dataset.value;
    return el.value;
  };
  for (const button of document.querySelectorAll('[data-next]')) {
    button.addEventListener('click', () => {
      const step = button.closest('.step');
      const form = step.closest('form');
      clearErrors(step);
      let ok = true;
      for (const el of step.querySelectorAll('[aria-required="true"], [required]')) {
        const empty = el.type === 'file' ? !el.files.length : !(valueOf(el) || '').trim();
        if (!empty) continue;
        ok = false;
        showError(form, el.dataset.field || el.name || el.id, 'This field is required');
      }
      if (!ok) return;
      step.hidden = true;
      document.getElementById(button.dataset.next).hidden = false;
    });
  }
  for (const form of document.querySelectorAll('form[data-endpoint]')) {
    const status = form.querySelector('[role="status"]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const data = new FormData();
      for (const el of form.querySelectorAll('input, textarea, select')) {
        const key = el.dataset.field || el.name || el.id;
        if (!key || el.type === 'submit' || el.type === 'button') continue;
        if (el.type === 'file') { for (const file of el.files) data.append(key, file); continue; }
        if (el.type === 'checkbox' || el.type === 'radio') {
          if (el.checked) data.append(key, el.value);
          continue;
        }
        if (el.getAttribute('role') === 'combobox') {
          if (el.dataset.value !== undefined) data.append(key, el.dataset.value);
          continue;
        }
        data.append(key, el.value);
      }
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      if (status) status.textContent = 'Submitting...';
      const response = await fetch(form.dataset.endpoint, {
        method: 'POST',
        body: data,
        headers: {Accept: 'application/json'},
        credentials: 'same-origin',
      });
      const body = await response.json();
      if (body.redirect) { window.location.assign(body.redirect); return; }
      if (body.html !== undefined) {
        const holder = document.getElementById(form.dataset.replace) || form;
        holder.innerHTML = body.html;
        return;
      }
      if (status) status.textContent = '';
      button.disabled = false;
      for (const [key, message] of Object.entries(body.errors || {})) showError(form, key, message);
    });
  }
})();
"""


def e(text: object) -> str:
    """`text` escaped for HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def page(
    request: Request, title: str, body: str, *, badge: bool = False, status: int = 200
) -> HTMLResponse:
    """A whole page: the shared style and script, and the invisible reCAPTCHA badge if asked."""
    extra = ""
    if badge:
        src = Sandbox.link(
            request, "www.google.com", "/recaptcha/api2/anchor?ar=1&k=sandbox&hl=en&size=invisible"
        )
        extra = (
            '<div class="grecaptcha-badge" data-style="bottomright"><iframe title="reCAPTCHA" '
            f'width="256" height="60" src="{e(src)}" frameborder="0"></iframe></div>'
            '<textarea id="g-recaptcha-response" name="g-recaptcha-response" '
            'class="g-recaptcha-response" style="display:none"></textarea>'
        )
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}{extra}<script>{SCRIPT}</script>"
        "</body></html>",
        status_code=status,
    )


def recaptcha_checkbox(request: Request) -> str:
    """A visible reCAPTCHA v2 challenge (the sandbox's inert look-alike frame)."""
    src = Sandbox.link(
        request, "www.google.com", "/recaptcha/api2/anchor?ar=1&k=sandbox&hl=en&size=normal"
    )
    return (
        '<div class="g-recaptcha" data-sitekey="sandbox"><iframe title="reCAPTCHA" '
        f'src="{e(src)}" width="304" height="78" frameborder="0" scrolling="no"></iframe></div>'
    )


def turnstile(request: Request) -> str:
    """A visible Cloudflare Turnstile ("Verify you are human") widget."""
    src = Sandbox.link(
        request,
        "challenges.cloudflare.com",
        "/cdn-cgi/challenge-platform/h/g/turnstile/if/ov2/av0/rcv0/0/sandbox/light/normal",
    )
    return (
        '<div class="cf-turnstile" data-sitekey="sandbox"><iframe title="Widget containing a '
        f'Cloudflare security challenge" src="{e(src)}" width="300" height="65" frameborder="0">'
        "</iframe></div>"
    )


def login_page(request: Request, company: str) -> HTMLResponse:
    """An account wall in front of the form."""
    body = (
        f"<h1>Sign in to apply to {e(company)}</h1><p>Sign in or create an account to continue."
        '</p><form id="sign-in" method="post" action=""><label for="user_email">Email</label>'
        '<input id="user_email" type="email"><label for="user_password">Password</label>'
        '<input id="user_password" type="password"><button type="submit">Sign in</button></form>'
    )
    return page(request, "Sign in", body)


def answered(form: FormData, key: str) -> bool:
    """Whether `key` came with a typed value or a file."""
    for value in form.getlist(key):
        if isinstance(value, UploadFile):
            if value.filename:
                return True
        elif value.strip():
            return True
    return False


def missing(form: FormData, required: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`{key: message}` for each required (key, label) the post left empty."""
    return {
        key: f"{label or key} is required." for key, label in required if not answered(form, key)
    }


def options_html(menu_id: str, labels: Iterable[tuple[str, str]]) -> str:
    """A hidden listbox of (value, label) options a combobox controls."""
    items = "".join(
        f'<div role="option" data-value="{e(value)}">{e(label)}</div>' for value, label in labels
    )
    return f'<div id="{e(menu_id)}" role="listbox" class="menu" hidden>{items}</div>'


def combobox(key: str, label_id: str, options: Iterable[tuple[str, str]], *, required: bool) -> str:
    """A searchable select: a text box with role combobox and its listbox."""
    req = ' aria-required="true"' if required else ""
    return (
        f'<div class="combo"><input type="text" id="{e(key)}" name="{e(key)}" role="combobox" '
        f'aria-labelledby="{e(label_id)}" aria-controls="{e(key)}-listbox" aria-expanded="false" '
        f'aria-autocomplete="list" autocomplete="off"{req}>'
        f"{options_html(f'{key}-listbox', options)}</div>"
    )


# Places a location box offers (a geo autocomplete's answers for the sandbox).
PLACES: tuple[str, ...] = (
    "London, England, United Kingdom",
    "Manchester, England, United Kingdom",
    "Berlin, Germany",
    "Paris, France",
    "New York, NY, United States",
    "San Francisco, CA, United States",
    "Toronto, ON, Canada",
    "Mexico City, CDMX, Mexico",
    "Lisbon, Portugal",
    "Remote",
)


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a dict, else an empty one."""
    return value if isinstance(value, dict) else {}
