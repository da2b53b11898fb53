"""Creating and editing campaigns: from pasted article text or a form; fields and status."""
from __future__ import annotations

from datetime import UTC

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from campaign import articles, audit, cache
from campaign.accounts import memberships
from campaign.campaigns import changes, imports, readiness, store
from campaign.extensions import db
from campaign.models import Article, CampaignStatus, MemberRole
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.organizer.forms import CampaignForm, NewFromArticleForm
from campaign.organizer.review import OPEN_ANYWAY, review_page


def _new_page(article_form=None, campaign_form=None, status=200):
    return render_template(
        "organizer/new.html",
        article_form=article_form or NewFromArticleForm(),
        campaign_form=campaign_form or CampaignForm(goal=1000, require_confirmation=True, default_country="US"),
    ), status


def _created(campaign, how: str, report_lines: list[str]):
    organizer = current_organizer()
    memberships.add_member(campaign, organizer, MemberRole.OWNER)
    audit.record("campaign.created", organizer=organizer, campaign=campaign, how=how)
    db.session.commit()
    for line in report_lines:
        flash(line)
    # An imported campaign goes to its review step first: what the importer drafted, what to check.
    after = ".review" if how == "article" else ".edit_campaign"
    return redirect(url_for(after, slug=campaign.slug), 303)


@bp.get("/new")
def new_campaign():
    return _new_page()


@bp.post("/new/article")
def new_from_article():
    """A draft campaign from pasted article text, through the importer."""
    form = NewFromArticleForm()
    text = (form.article_text.data or "").strip() if form.validate_on_submit() else ""
    slug = (form.slug.data or "").strip() or None
    if not text:
        form.article_text.errors.append(_("Paste the article's text."))
    elif slug and not store.is_valid_slug(slug):
        form.slug.errors.append(_("Use lower-case letters, digits and single hyphens."))
    elif slug and store.get_by_slug(slug) is not None:
        form.slug.errors.append(_("Another campaign already uses this address."))
    if form.article_text.errors or form.slug.errors:
        return _new_page(article_form=form, status=422)
    imported = articles.read_article(text)
    outcome = imports.import_article(imported, slug=slug, match_existing=False)
    report = outcome.report
    lines = [ngettext("Read %(num)s line: %(parts)s", "Read %(num)s lines: %(parts)s", report.lines,
                      parts="; ".join(report.read))] + report.notes + outcome.notes
    lines += [_("Line %(line)s was not placed (%(reason)s): %(text)s", line=p.line, reason=p.reason, text=p.text[:80])
              for p in report.problems]
    return _created(outcome.campaign, "article", lines)


@bp.post("/new/form")
def new_from_form():
    """A draft campaign from the form's fields."""
    form = CampaignForm()
    if not form.validate_on_submit():
        return _new_page(campaign_form=form, status=422)
    try:
        campaign = store.create(slug=(form.slug.data or "").strip() or store.slugify(form.title.data or ""),
                                    title=form.title.data or "", petition_text=form.petition_text.data or "")
        _save_fields(campaign, form, names_box=False)
    except store.InvalidCampaign as error:
        db.session.rollback()
        form.title.errors.append(str(error))
        return _new_page(campaign_form=form, status=422)
    return _created(campaign, "form", [_("Campaign created as a draft: open it when it is ready.")])


def _save_fields(campaign, form: CampaignForm, *, names_box: bool = True) -> None:
    """Store the form's fields; names_box: whether the form showed the edit page's boxes
    (deliver_names, goal_fixed, milestone_emails).

    The new page's form does not show it, and an unticked box sends nothing, so reading it
    there would turn names off: a new campaign keeps the default, as an imported one does.
    """
    closes_at = form.closes_at.data.replace(tzinfo=UTC) if form.closes_at.data else None
    names = {"deliver_names": bool(form.deliver_names.data), "goal_fixed": bool(form.goal_fixed.data),
             "milestone_emails": bool(form.milestone_emails.data)} if names_box else {}
    if names_box:  # the edit page's own settings, like the names box
        names["response_threshold"] = form.response_threshold.data
    store.update(
        campaign, title=form.title.data or "", slug=(form.slug.data or campaign.slug).strip(),
        petition_text=form.petition_text.data or "", target=form.target.data or "",
        goal=form.goal.data, closes_at=closes_at, require_confirmation=bool(form.require_confirmation.data),
        default_country=(form.default_country.data or "US").strip().upper(),
        hashtags=form.hashtag_list(), commentary=form.commentary.data or "", **names,
    )
    store.touch(campaign)
    if form.headline.data or campaign.article is not None:
        article = campaign.article or Article()
        campaign.article = article
        article.headline = (form.headline.data or campaign.title).strip()
        article.source = (form.source.data or "").strip()
        article.source_url = (form.source_url.data or "").strip() or None
        article.published_text = (form.published_text.data or "").strip()
        article.categories = form.category_list()
        article.body = (form.body.data or "").strip()


def _form_for(campaign) -> CampaignForm:
    """The edit form filled from the campaign (lists and dates as the fields show them)."""
    article = campaign.article
    form = CampaignForm(obj=campaign)
    # obj= wins over keyword values in WTForms, so the converted ones are set afterwards.
    form.hashtags.data = " ".join(f"#{t}" for t in campaign.hashtags)
    form.closes_at.data = campaign.closes_at.replace(tzinfo=None) if campaign.closes_at else None
    form.headline.data = article.headline if article else ""
    form.source.data = article.source if article else ""
    form.source_url.data = (article.source_url or "") if article else ""
    form.published_text.data = article.published_text if article else ""
    form.categories.data = ", ".join(article.categories) if article else ""
    form.body.data = article.body if article else ""
    return form


@bp.route("/c/<slug>/edit", methods=["GET", "POST"])
def edit_campaign(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    form = CampaignForm() if request.method == "POST" else _form_for(campaign)
    if request.method == "POST":
        if form.validate_on_submit():
            before = changes.snapshot(campaign)
            try:
                _save_fields(campaign, form)
            except store.InvalidCampaign as error:
                db.session.rollback()
                form.slug.errors.append(str(error))
            else:
                readiness.clear_edited(campaign, before)
                audit.record("campaign.edited", organizer=current_organizer(), campaign=campaign,
                             changes=changes.diff(before, changes.snapshot(campaign)))
                db.session.commit()
                cache.forget(campaign.id)
                flash(_("Saved."))
                return redirect(url_for(".edit_campaign", slug=campaign.slug), 303)
        return render_template("organizer/edit.html", campaign=campaign, form=form,
                               STATUS_TARGETS=STATUS_CHANGES), 422
    return render_template("organizer/edit.html", campaign=campaign, form=form, STATUS_TARGETS=STATUS_CHANGES)


STATUS_CHANGES = {"open": CampaignStatus.OPEN, "close": CampaignStatus.CLOSED, "draft": CampaignStatus.DRAFT}
# What the organizer is told after a change of status, whole sentences for the translators.
STATUS_DONE = {CampaignStatus.OPEN: _l("The campaign is now open."),
               CampaignStatus.CLOSED: _l("The campaign is now closed."),
               CampaignStatus.DRAFT: _l("The campaign is now draft.")}


@bp.post("/c/<slug>/status")
def change_status(slug: str):
    """Open, close, reopen or return to draft."""
    campaign = campaign_or_404(current_organizer(), slug)
    status = STATUS_CHANGES.get(request.form.get("to", ""))
    if status is None:
        abort(400)
    opening = status == CampaignStatus.OPEN and campaign.status != CampaignStatus.OPEN
    items = readiness.open_items(campaign) if opening else []
    if items and not request.form.get(OPEN_ANYWAY):
        message = ngettext("Not opened: the campaign has %(num)s open item. Tick the box below to "
                           "open it anyway, or deal with them first.",
                           "Not opened: the campaign has %(num)s open items. Tick the box below to "
                           "open it anyway, or deal with them first.", len(items))
        return review_page(campaign, status=409, message=message)
    before = changes.snapshot(campaign)
    store.set_status(campaign, status)
    audit.record("campaign.status", organizer=current_organizer(), campaign=campaign, status=status,
                 changes=changes.diff(before, changes.snapshot(campaign)),
                 **({"open_items": len(items)} if items else {}))
    db.session.commit()
    cache.forget(campaign.id)
    flash(str(STATUS_DONE[status]))
    return redirect(url_for(".edit_campaign", slug=slug), 303)
