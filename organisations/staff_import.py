"""Importing staff from a CSV: a dry run that says what would change, then one apply.

The dry run (`staff_import_check`) reads the file (organisations.staff_csv), checks
every row against the organisation and records what would happen on an ImportJob,
changing nothing else. The apply (`staff_import_apply`, run by a Celery task) checks
the file again against the database as it is then and makes every change in one
transaction: a row that has become wrong since the dry run fails the whole apply, so
nothing is ever half-applied.

The rules for a row, in the order `check_rows` applies them:
- the email must be valid and appear once in the file;
- role, staff group and home ward, when given, must name one of ours (the staff
  groups also by their ESR names, case-insensitively; a ward as "Ward" or, when two
  sites have one of that name, "Ward (Site)");
- "Create accounts and memberships": a new address gets an account (no password: the
  person sets one with "Forgot your password?") and a membership; an existing member
  is updated where the file says something different (an empty cell changes nothing);
  a deactivated member stays deactivated; nobody changes their own role;
- "Send invitations": everyone not yet an active member is invited with the row's
  role, through the invitation service; active members are left alone.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from improvewell.mail import queue_after_commit

from . import staff_csv
from .import_progress import progress_key, progress_of, progress_record  # noqa: F401
from .models import ImportJob, Membership, Organisation, Profession, Role, Ward
from .permissions import can_manage_organisation, require
from .signals import admin_action
from .staff_import_writes import write_plan

MAX_MESSAGES = 1000  # kept on the job; the counts say how many there were in all

# ESR's staff group names, mapped to ours (the others are spelt as ours already).
ESR_STAFF_GROUPS = {
    "nursing and midwifery registered": Profession.NURSING,
    "additional clinical services": Profession.HCA,
    "administrative and clerical": Profession.ADMIN,
    "add prof scientific and technic": Profession.OTHER,
    "additional professional scientific and technical": Profession.OTHER,
}


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


ROLES = {_key(v): v for v in Role.values} | {_key(label): v for v, label in Role.choices}
STAFF_GROUPS = (
    {_key(v): v for v in Profession.values}
    | {_key(label): v for v, label in Profession.choices}
    | {_key(name): value.value for name, value in ESR_STAFF_GROUPS.items()}
)


def _quoted(value: str) -> str:
    return f"'{value[:60]}…'" if len(value) > 60 else f"'{value}'"


@dataclass(frozen=True)
class Existing:
    """What the database knows about one address: its account and membership here."""

    user_id: int
    name: str
    membership_id: int | None = None
    role: str = ""
    profession: str = ""
    home_ward_id: int | None = None
    is_active: bool = True


@dataclass
class Context:
    organisation_name: str
    wards: dict[str, list[int]]  # lower-case "name" and "name (site)" -> ward ids
    people: dict[str, Existing]  # lower-case email -> account (and membership)
    importer_id: int | None
    mode: str = ImportJob.Mode.CREATE


@dataclass
class Plan:
    """What an apply would do, and why a row cannot be imported."""

    creates: list[tuple] = field(default_factory=list)  # (email, name, user_id, role, group, ward)
    updates: list[tuple] = field(default_factory=list)  # (membership_id, role, group, ward)
    names: list[tuple] = field(default_factory=list)  # (user_id, name) for accounts with none
    invites: list[tuple] = field(default_factory=list)  # (email, role)
    counts: Counter = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> dict:
        counts = {k: self.counts[k] for k in ("added", "updated", "invited", "unchanged")}
        return counts | {"errors": len(self.errors), "notes": len(self.notes)}


def _choice(row, value, table, what, hint, errors):
    if not value:
        return ""
    found = table.get(_key(value))
    if found is None:
        errors.append(f"Row {row.number}: {_quoted(value)} is not {what}. {hint}")
    return found or ""


def _ward(row, context: Context, errors) -> int | None:
    if not row.ward:
        return None
    ids = context.wards.get(" ".join(row.ward.lower().split()), [])
    if not ids:
        errors.append(
            f"Row {row.number}: {_quoted(row.ward)} is not a ward of {context.organisation_name}."
        )
        return None
    if len(ids) > 1:
        errors.append(
            f"Row {row.number}: more than one site has a ward called {_quoted(row.ward)}. "
            "Write it with its site, for example 'Ward 1 (City Hospital)'."
        )
        return None
    return ids[0]


def _row_problems(row, context: Context, first_seen: dict) -> tuple[list[str], tuple]:
    """The row's errors, and its role, staff group and ward id when it has none."""
    errors = []
    if not row.email:
        errors.append(f"Row {row.number}: the email address is empty.")
    else:
        try:
            validate_email(row.email)
            if len(row.email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            errors.append(f"Row {row.number}: {_quoted(row.email)} is not an email address.")
        else:
            if row.email in first_seen:
                errors.append(
                    f"Row {row.number}: {row.email} is also on row {first_seen[row.email]}. "
                    "List each person once."
                )
            else:
                first_seen[row.email] = row.number
    if context.mode == ImportJob.Mode.CREATE and not row.name:
        errors.append(f"Row {row.number}: the name is empty.")
    if len(row.name) > 150:
        errors.append(f"Row {row.number}: the name is longer than 150 characters.")
    role = _choice(
        row, row.role, ROLES, "a role", "Use Staff, QI lead or Organisation admin.", errors
    )
    group = _choice(
        row,
        row.staff_group,
        STAFF_GROUPS,
        "a staff group",
        "The staff groups are listed on the import page.",
        errors,
    )
    return errors, (role, group, _ward(row, context, errors))


def _plan_create(row, values, existing: Existing | None, context, plan: Plan) -> None:
    role, group, ward_id = values
    if existing is None or existing.membership_id is None:
        user_id = existing.user_id if existing else None
        plan.creates.append((row.email, row.name, user_id, role or Role.STAFF, group, ward_id))
        if existing and not existing.name and row.name:
            plan.names.append((existing.user_id, row.name))
        plan.counts["added"] += 1
        return
    if not existing.is_active:
        plan.notes.append(
            (
                row.number,
                f"Row {row.number}: {row.email} is deactivated here; the import leaves them "
                "so. Reactivate them from the staff list if they have come back.",
            )
        )
        plan.counts["unchanged"] += 1
        return
    if role and role != existing.role and existing.user_id == context.importer_id:
        plan.errors.append((row.number, f"Row {row.number}: you cannot change your own role."))
        return
    new = (role or existing.role, group or existing.profession, ward_id or existing.home_ward_id)
    name = row.name if not existing.name and row.name else None
    if new == (existing.role, existing.profession, existing.home_ward_id) and name is None:
        plan.counts["unchanged"] += 1
        return
    plan.updates.append((existing.membership_id, *new))
    if name:
        plan.names.append((existing.user_id, name))
    plan.counts["updated"] += 1


def _plan_invite(row, values, existing: Existing | None, plan: Plan) -> None:
    if existing and existing.membership_id and existing.is_active:
        plan.notes.append(
            (row.number, f"Row {row.number}: {row.email} is already a member; no invitation.")
        )
        plan.counts["unchanged"] += 1
        return
    plan.invites.append((row.email, values[0] or Role.STAFF))
    plan.counts["invited"] += 1


def check_rows(staff_file: staff_csv.StaffFile, context: Context) -> Plan:
    """Every row checked and planned; no database access (the context holds what it needs)."""
    plan = Plan(errors=list(staff_file.errors))
    first_seen: dict[str, int] = {}
    for row in staff_file.rows:
        errors, values = _row_problems(row, context, first_seen)
        if errors:
            plan.errors.extend((row.number, message) for message in errors)
            continue
        existing = context.people.get(row.email)
        if context.mode == ImportJob.Mode.INVITE:
            _plan_invite(row, values, existing, plan)
        else:
            _plan_create(row, values, existing, context, plan)
    plan.errors.sort(key=lambda error: error[0])
    return plan


def _context(organisation: Organisation, emails: list[str], *, importer_id, mode) -> Context:
    """What `check_rows` needs from the database, in a few queries whatever the file's size."""
    wards = defaultdict(list)
    for ward in Ward.objects.filter(organisation=organisation, is_active=True).select_related(
        "site"
    ):
        name = " ".join(ward.name.lower().split())
        wards[name].append(ward.pk)
        wards[f"{name} ({' '.join(ward.site.name.lower().split())})"].append(ward.pk)
    people = {}
    User = get_user_model()
    for start in range(0, len(emails), 5000):
        batch = emails[start : start + 5000]
        users = User.objects.filter(email__in=batch).values_list("pk", "email", "name")
        for pk, email, name in users:
            people[email.lower()] = Existing(user_id=pk, name=name)
        members = Membership.objects.filter(organisation=organisation, user__email__in=batch)
        for m in members.values(
            "pk", "user__email", "role", "profession", "home_ward_id", "is_active"
        ):
            email = m["user__email"].lower()
            people[email] = Existing(
                user_id=people[email].user_id,
                name=people[email].name,
                membership_id=m["pk"],
                role=m["role"],
                profession=m["profession"],
                home_ward_id=m["home_ward_id"],
                is_active=m["is_active"],
            )
    return Context(organisation.name, dict(wards), people, importer_id, mode)


def plan_import(organisation, text: str, *, mode: str, importer_id) -> tuple[Plan, int]:
    """Read and check the file against the organisation: the plan and the number of rows."""
    staff_file = staff_csv.read(text, need_name=mode == ImportJob.Mode.CREATE)
    emails = sorted({row.email for row in staff_file.rows if row.email})
    context = _context(organisation, emails, importer_id=importer_id, mode=mode)
    return check_rows(staff_file, context), len(staff_file.rows) + len(staff_file.errors)


def _messages(items) -> list[str]:
    return [message for _, message in items[:MAX_MESSAGES]]


@transaction.atomic
def staff_import_check(*, member: Membership, file_name: str, text: str, mode: str) -> ImportJob:
    """The dry run: record what the file would change, and keep it for the apply if valid.

    Raises staff_csv.ImportFileError for a file that cannot be read at all.
    """
    require(can_manage_organisation(member), "Only organisation admins import staff.")
    plan, total = plan_import(member.organisation, text, mode=mode, importer_id=member.user_id)
    return ImportJob.objects.create(
        organisation=member.organisation,
        created_by=member.user,
        mode=mode,
        state=ImportJob.State.REJECTED if plan.errors else ImportJob.State.CHECKED,
        file_name=file_name[:255],
        content="" if plan.errors else text,
        total=total,
        counts=plan.summary(),
        errors=_messages(plan.errors),
        notes=_messages(plan.notes),
    )


@transaction.atomic
def staff_import_start(*, member: Membership, job: ImportJob) -> ImportJob:
    """Queue the apply of a checked file, once: a second click changes nothing."""
    require(can_manage_organisation(member), "Only organisation admins import staff.")
    started = ImportJob.objects.filter(
        organisation=member.organisation, pk=job.pk, state=ImportJob.State.CHECKED
    ).update(state=ImportJob.State.APPLYING, applied_by=member.user, queued_at=timezone.now())
    if started:
        from .tasks import staff_import_apply_task

        queue_after_commit(
            staff_import_apply_task, organisation_id=member.organisation_id, job_id=str(job.pk)
        )
    job.refresh_from_db()
    return job


class _Refused(Exception):
    def __init__(self, errors):
        self.errors = errors


def staff_import_apply(*, organisation: Organisation, job_id) -> ImportJob:
    """Apply a checked file in one transaction, or change nothing and say why.

    Idempotent: the job row is locked and only an applying job is worked on, so a task
    delivered twice (acks_late) applies the file once.
    """
    try:
        return _apply(organisation, job_id)
    except _Refused as exc:
        return _finish(organisation, job_id, ImportJob.State.FAILED, errors=exc.errors)
    except IntegrityError:
        message = (
            "Someone joined or was added while the import ran, so nothing was changed. "
            "Upload the file again to check it against the staff list as it is now."
        )
        return _finish(organisation, job_id, ImportJob.State.FAILED, errors=[message])


@transaction.atomic
def _apply(organisation: Organisation, job_id) -> ImportJob:
    job = ImportJob.objects.select_for_update(of=("self",)).get(
        organisation=organisation, pk=job_id
    )
    if job.state != ImportJob.State.APPLYING:
        return job
    member = (
        Membership.objects.filter(organisation=organisation, user=job.applied_by, is_active=True)
        .select_related("user", "organisation")
        .first()
    )
    if not can_manage_organisation(member):
        raise _Refused(["Only an organisation admin can apply an import."])
    plan, _ = plan_import(organisation, job.content, mode=job.mode, importer_id=member.user_id)
    if plan.errors:
        raise _Refused(_messages(plan.errors))

    def progress(done):
        progress_record(job.pk, done)

    write_plan(organisation, plan, invited_by=member.user, progress=progress)
    job.state, job.counts, job.done = ImportJob.State.APPLIED, plan.summary(), job.total
    job.notes, job.content, job.finished_at = _messages(plan.notes), "", timezone.now()
    job.save(update_fields=["state", "counts", "done", "notes", "content", "finished_at"])
    admin_action.send(
        sender=ImportJob,
        member=member,
        action="imported staff",
        after={"file": job.file_name, "mode": job.mode, "rows": job.total, **job.counts},
    )
    return job


@transaction.atomic
def _finish(organisation, job_id, state, *, errors) -> ImportJob:
    job = ImportJob.objects.select_for_update(of=("self",)).get(
        organisation=organisation, pk=job_id
    )
    if job.state == ImportJob.State.APPLYING:
        job.state, job.errors, job.content = state, errors[:MAX_MESSAGES], ""
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "errors", "content", "finished_at"])
    return job
