"""The soak's clients: each a member who shares, resends, supports, comments and checks in
through the real forms, and writes down what the server acknowledged. They begin with a
burst: every client gets the share form, then all post it at the same moment.

What counts as acknowledged, as a person at a browser would see it:
- share: 200 with the "Thank you for sharing" page; for a named idea its link carries
  the idea's id, which must be the form's submission id (an anonymous idea's page carries
  no id, by design, and its id is the submission id by the service's promise);
- support, withdraw: a redirect to the idea's page; comment: to its comments;
- pulse check-in: a redirect to the thank-you page.
Anything else a request is answered is refused (nothing may have been written); a
request with no answer at all (a timeout, a reset connection) is in doubt.
"""

import contextlib
import itertools
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.utils import timezone

from ideas.models import Kind
from ideas.pulse_models import DEFAULT_PULSE_TAGS
from ideas.services import SUBMISSIONS_PER_DAY

from .browser import Answer, Browser
from .cast import Cast, Member

ACKED, REFUSED, IN_DOUBT = "acknowledged", "refused", "in doubt"
BURST_WAIT_SECONDS = 120
SEEDED = -1  # the owner of the ideas shared before the soak: no client
HOT_SHARE = 0.5
_SUBMISSION_ID = re.compile(r'<input[^>]*name="submission_id"[^>]*value="([0-9a-f-]{36})"')
_THANKS = "Thank you for sharing"
_TITLE = re.compile(r"<title>([^<]*)</title>")
# What each client does, and how often (weights).
ACTIONS = {
    "share": 24,
    "share again": 5,  # the same submission id, resent
    "share twice": 5,  # the same submission id, from two connections at once
    "support": 18,
    "support twice": 3,  # two supports of the same idea at once
    "comment": 17,
    "comment twice": 3,  # two comments on one idea at once
    "pulse": 8,
    "pulse twice": 2,  # two check-ins at once
    "idea page": 15,
}


def state_of(answer: Answer) -> str:
    if answer.ok:
        return ACKED
    return IN_DOUBT if answer.status is None else REFUSED


@dataclass
class Share:
    title: str
    anonymous: bool
    fields: dict
    states: list[str] = field(default_factory=list)  # one per POST of this submission id


@dataclass
class Record:
    """What one client was answered."""

    member: Member
    answers: list[Answer] = field(default_factory=list)
    shares: dict[str, Share] = field(default_factory=dict)  # by submission id
    # (idea id, wanted: True support, False withdraw, state), in the order answered.
    supports: list[tuple[str, bool, str]] = field(default_factory=list)
    comments: list[tuple[str, str, str]] = field(default_factory=list)  # idea, body, state
    # (score, day when sent, day when answered, state)
    pulses: list[tuple[int, object, object, str]] = field(default_factory=list)


class Pool:
    """Ideas each organisation's members may act on: (idea id, the client that shared it)."""

    def __init__(self, cast: Cast):
        self.lock = threading.Lock()
        self.ideas = {slug: [(i, SEEDED) for i in ids] for slug, ids in cast.seeded.items()}

    def add(self, slug: str, idea_id: str, owner: int) -> None:
        with self.lock:
            self.ideas[slug].append((idea_id, owner))

    def pick(self, slug: str, rng: random.Random, *, not_of: int | None = None) -> str:
        """Half the time one of the few ideas shared before the soak: popular ideas draw
        most of the supports and comments, and so the races on one idea's rows."""
        with self.lock:
            choices = [(i, owner) for i, owner in self.ideas[slug] if owner != not_of]
        hot = [i for i, owner in choices if owner == SEEDED]
        if hot and rng.random() < HOT_SHARE:
            return rng.choice(hot)
        return rng.choice(choices)[0]


class Client:
    def __init__(self, base: str, member: Member, run: str, pool: Pool, seed: int):
        self.base, self.member, self.mark, self.pool = base, member, run, pool
        self.browser = Browser(base, member)
        self.record = Record(member)
        self.rng = random.Random(seed)
        # Numbers for titles and comments; next() on a count is safe from two threads.
        self.numbers = itertools.count(1)
        self.board = f"/{member.slug}/ideas/"

    # Helpers ---------------------------------------------------------------------------

    def _answer(self, kind, status, seconds, ok, detail="") -> Answer:
        # A page's title says what went wrong (the error page's) more briefly than its text.
        title = _TITLE.search(detail)
        detail = f"{status} {title.group(1).strip()}" if title else detail[:300]
        answer = Answer(kind, status, seconds, ok, detail if not ok else "")
        self.record.answers.append(answer)
        return answer

    def _get(self, kind: str, path: str) -> str | None:
        status, _location, text, seconds = self.browser.request("GET", path)
        self._answer(kind, status, seconds, status == 200, f"{status} {text[:200]}")
        return text if status == 200 else None

    def _post_redirect(self, kind: str, path: str, fields: dict, to: str, browser=None) -> Answer:
        status, location, text, seconds = (browser or self.browser).request("POST", path, fields)
        ok = status == 302 and location == to
        return self._answer(kind, status, seconds, ok, f"{status} {location} {text[:200]}")

    def _post_share(self, kind: str, sid: str, share: Share, browser=None) -> None:
        status, _location, text, seconds = (browser or self.browser).request(
            "POST", f"{self.board}new/", share.fields
        )
        ok = status == 200 and _THANKS in text
        if ok and not share.anonymous:
            # The named idea's page is linked: it must be the submitted id.
            ok = f'href="{self.board}{sid}/"' in text
        answer = self._answer(kind, status, seconds, ok, f"{status} {text[:300]}")
        share.states.append(state_of(answer))

    def _new_share(self, kind: str) -> tuple[str, Share] | None:
        """The share form, as a browser gets it: its hidden submission id."""
        text = self._get("share form", f"{self.board}new/")
        found = _SUBMISSION_ID.search(text or "")
        if found is None:
            return None
        anonymous = self.rng.random() < 0.25
        title = f"Soak {self.mark} c{self.member.index} s{next(self.numbers)}"
        fields = {
            "submission_id": found.group(1),
            "kind": self.rng.choice(Kind.values),
            "title": title,
            "description": f"{title}: shared by a soak client.",
            "ward": self.member.ward_id,
            "category": self.member.category_id,
        }
        if anonymous:
            # Where a small ward would be asked about: say only the site.
            fields |= {"anonymous": "on", "place": "site"}
        share = Share(title=title, anonymous=anonymous, fields=fields)
        self.record.shares[found.group(1)] = share
        return found.group(1), share

    def _may_share(self) -> bool:
        """Within the daily limit, counting every idea that may have been made."""
        made = sum(1 for s in self.record.shares.values() if set(s.states) - {REFUSED})
        return made < SUBMISSIONS_PER_DAY

    def _twice(self, first, second) -> None:
        """Run two requests at once, each on its own connection."""
        barrier = threading.Barrier(2)

        def go(call):
            barrier.wait()
            call()

        other = threading.Thread(target=go, args=(second,))
        other.start()
        go(first)
        other.join()

    # Actions ---------------------------------------------------------------------------

    def share(self) -> None:
        if not self._may_share():
            return self.share_again()
        made = self._new_share("share")
        if made is not None:
            sid, share = made
            self._post_share("share", sid, share)
            if share.states[-1] == ACKED:
                self.pool.add(self.member.slug, sid, self.member.index)

    def share_again(self) -> None:
        acked = [sid for sid, s in self.record.shares.items() if ACKED in s.states]
        if acked:
            sid = self.rng.choice(acked)
            self._post_share("share again", sid, self.record.shares[sid])

    def share_twice(self) -> None:
        if not self._may_share():
            return self.share_again()
        made = self._new_share("share twice")
        if made is None:
            return None
        sid, share = made
        twin = Browser(self.base, self.member)
        self._twice(
            lambda: self._post_share("share twice", sid, share),
            lambda: self._post_share("share twice", sid, share, browser=twin),
        )
        twin.close()
        if ACKED in share.states:
            self.pool.add(self.member.slug, sid, self.member.index)

    def _support(self, kind: str, idea: str, wanted: bool, browser=None) -> None:
        fields = {"action": "support" if wanted else "withdraw"}
        path = f"{self.board}{idea}/support/"
        answer = self._post_redirect(kind, path, fields, f"{self.board}{idea}/", browser)
        self.record.supports.append((idea, wanted, state_of(answer)))

    def support(self) -> None:
        idea = self.pool.pick(self.member.slug, self.rng, not_of=self.member.index)
        self._support("support", idea, self.rng.random() < 0.7)

    def support_twice(self) -> None:
        idea = self.pool.pick(self.member.slug, self.rng, not_of=self.member.index)
        twin = Browser(self.base, self.member)
        self._twice(
            lambda: self._support("support twice", idea, True),
            lambda: self._support("support twice", idea, True, browser=twin),
        )
        twin.close()

    def comment(self, kind="comment", idea=None, browser=None) -> None:
        idea = idea or self.pool.pick(self.member.slug, self.rng)
        body = f"Soak {self.mark} c{self.member.index} n{next(self.numbers)}"
        path = f"{self.board}{idea}/comments/"
        to = f"{self.board}{idea}/#comments"
        answer = self._post_redirect(kind, path, {"body": body}, to, browser)
        self.record.comments.append((idea, body, state_of(answer)))

    def comment_twice(self) -> None:
        """Two comments on one idea at once (two tabs): both kept, in distinct places."""
        idea = self.pool.pick(self.member.slug, self.rng)
        twin = Browser(self.base, self.member)
        self._twice(
            lambda: self.comment("comment twice", idea),
            lambda: self.comment("comment twice", idea, browser=twin),
        )
        twin.close()

    def pulse(self, kind="pulse", score=None, tags=None, browser=None) -> None:
        score = score or self.rng.randint(1, 5)
        if tags is None:
            tags = self.rng.sample([key for key, _ in DEFAULT_PULSE_TAGS], self.rng.randint(0, 2))
        sent_on = timezone.localdate()
        path, to = f"/{self.member.slug}/pulse/", f"/{self.member.slug}/pulse/thanks/"
        answer = self._post_redirect(kind, path, {"score": score, "tags": tags}, to, browser)
        self.record.pulses.append((score, sent_on, timezone.localdate(), state_of(answer)))

    def pulse_twice(self) -> None:
        """The same check-in twice at once (a double click): one row, that score."""
        score, tags = self.rng.randint(1, 5), ["workload"]
        twin = Browser(self.base, self.member)
        self._twice(
            lambda: self.pulse("pulse twice", score, tags),
            lambda: self.pulse("pulse twice", score, tags, browser=twin),
        )
        twin.close()

    def idea_page(self) -> None:
        self._get("idea page", f"{self.board}{self.pool.pick(self.member.slug, self.rng)}/")

    def burst(self, start: threading.Barrier) -> None:
        """Every client shares at the same moment (a numbering race would lose some)."""
        made = self._new_share("share form")
        # Each client comes, with its form or without; if one never does (it failed),
        # the others go on after the wait.
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(BURST_WAIT_SECONDS)
        if made is not None:
            sid, share = made
            self._post_share("burst", sid, share)
            if share.states[-1] == ACKED:
                self.pool.add(self.member.slug, sid, self.member.index)

    def run(self, deadline: float, start: threading.Barrier) -> Record:
        """The burst, then act until the deadline; a request under way then is answered
        before stopping."""
        self.burst(start)
        kinds, weights = list(ACTIONS), list(ACTIONS.values())
        # The first action goes round the kinds, client by client, and is done even when
        # the burst took all the time, so that a short run with a few clients does each
        # kind; then they are drawn by weight.
        kind = kinds[self.member.index % len(kinds)]
        while True:
            getattr(self, kind.replace(" ", "_"))()
            if time.monotonic() >= deadline:
                break
            kind = self.rng.choices(kinds, weights)[0]
        self.browser.close()
        return self.record


def soak(base: str, cast: Cast, *, seconds: float, seed: int | None = None) -> list[Record]:
    """Every member of the cast as a client at once, for `seconds`; their records."""
    seed = uuid.uuid4().int if seed is None else seed
    pool = Pool(cast)
    clients = [Client(base, m, cast.run, pool, seed + m.index) for m in cast.members]
    start = threading.Barrier(len(clients))
    deadline = time.monotonic() + seconds
    records: list[Record | None] = [None] * len(clients)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            records[n] = clients[n].run(deadline, start)
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} soak clients failed") from failures[0]
    return records
