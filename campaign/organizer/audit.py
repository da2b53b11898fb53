"""The audit log for administrators: every entry, filtered and paged, newest first; read-only."""
from __future__ import annotations

from flask import abort, render_template, request

from campaign import audit, query_args
from campaign.organizer.access import current_organizer
from campaign.organizer.blueprint import bp
from campaign.organizer.forms import AuditFilterForm

PAGE_SIZE = 50


@bp.get("/audit")
def audit_log():
    """Who did what and when, for admins only (404 for everyone else, as for any hidden page)."""
    if not current_organizer().is_admin:
        abort(404)
    form = AuditFilterForm(request.args)
    form.offer(*audit.filter_choices())
    if not form.validate():
        return render_template("organizer/audit.html", form=form, lines=[], next_before=None,
                               args={}), 400
    lines = audit.page(form.to_filter(), before_id=query_args.bounded_int("before"),
                       size=PAGE_SIZE)
    return render_template(
        "organizer/audit.html", form=form, lines=lines,
        args={k: v for k, v in request.args.items() if k != "before" and v},
        next_before=lines[-1].id if len(lines) == PAGE_SIZE else None,
    )
