"""The web foundation: server-rendered pages with Jinja2 and htmx, shared by every domain's pages.

`templating` renders a page or, for an htmx request, one block of it; `session` keeps the auth
service's session in cookies (refreshing it as it goes); `csrf` guards every form; `flash`
carries one-time messages across a redirect; `errors` answers browsers with HTML error pages
(the JSON API keeps its error shape); `pages` holds sign-in and sign-out; `mount` mounts it all.
"""
