"""The ATS sandbox: local stand-ins of ATS job boards and hosted application forms.

Tests, the benchmark and the product's demo point real ATS URLs at it with the replay-proxy
convention (`https://host/path` → `<sandbox>/host/path`, see `jobs.fetch.proxy_rewrite`), so the
real adapters and the real browser submitter run unchanged against it. It records every
application it accepts (`GET /_sandbox/submissions`, `DELETE` to clear) and shows emailed codes
(`GET /_sandbox/codes`).

Scenarios are chosen by a word in the posting id: `captcha` (a visible challenge in the form),
`login` (an account wall), `emailcode` (a security-code step after submit), `changed` (the form
asks a required question its definition lacks), `slow` (the confirmation takes `slow_seconds`),
`closed` (the posting no longer takes applications), `steps` (a two-step form where supported).

Adding an ATS is one module in `sandbox/sites/` exposing `build(sandbox: Sandbox) -> Site`:

    Site(ats="lever", hosts={"jobs.lever.co": [Route("/{site}/{id}/apply", ...), ...]})

`hosts` maps each real host the ATS answers on to Starlette routes relative to that host (the
definition endpoint, the hosted form page, and the form's submit target); the app mounts them
under `/<host>`. Handlers use the `Sandbox` for scenarios (`sandbox.scenarios(posting_id)`),
captured fixtures (`sandbox.fixture("lever", "x.html")`), links (`sandbox.link(request, host,
path)`) and recording (`await sandbox.record(...)`). Register the module in `sites.SITES`.
Pages must reference nothing outside the sandbox: browser tests block every other host.
"""

from jobpilot.sandbox.app import create_sandbox_app
from jobpilot.sandbox.core import Sandbox, Site

__all__ = ["Sandbox", "Site", "create_sandbox_app"]
