"""The social preview card: a valid 1200×630 PNG whatever the text, a true progress bar, a cache."""
import hashlib
import io
import threading
from collections.abc import Callable

import pytest
from PIL import Image, ImageColor

from campaign.campaigns import social_card
from campaign.campaigns.social_card import CardCache, count_bucket, count_label, render_card
from tests.helpers import wait_until

HOSPITAL = {
    "title": "Stop the closure of Riverside Community Hospital's maternity ward",
    "headline": "Health board confirms plans to move births to a hospital 40 miles away",
    "count": 18_500,
    "goal": 50_000,
}


def card(**changes) -> Image.Image:
    """render_card() on the hospital campaign with changes, opened back with Pillow."""
    image = Image.open(io.BytesIO(render_card(**{**HOSPITAL, **changes})))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert image.mode == "RGB"
    image.load()
    return image


def near(pixel: tuple[int, int, int], colour: str, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, ImageColor.getrgb(colour)))


def bar_pixel(image: Image.Image, fraction: float) -> tuple[int, int, int]:
    """The pixel on the bar's middle line, fraction of the way along the track."""
    x0, y0, x1, y1 = social_card.BAR_BOX
    return image.getpixel((round(x0 + (x1 - x0) * fraction), (y0 + y1) // 2))


def test_card_is_a_1200_by_630_png():
    data = render_card(**HOSPITAL)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(data)).verify()
    card()


def test_site_name_is_a_keyword_with_a_default():
    assert card(site_name="Save Our Wards").tobytes() != card().tobytes()


def test_different_counts_give_different_images():
    assert card(count=18_500).tobytes() != card(count=18_600).tobytes()


@pytest.mark.parametrize(
    "changes",
    [
        {"title": "A very long title that goes on " * 40},
        {"title": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 10},  # one word, broken
        {"title": ""},
        {"headline": ""},
        {"headline": "An extremely long news headline that cannot fit on two lines " * 10},
        {"count": 0},
        {"count": 1},
        {"count": 120_000},  # above the goal
        {"count": -5},
        {"count": 10**18},
        {"goal": 1},
        {"goal": 0},
        {"title": "停止关闭河滨社区医院产科病房，保护我们的母亲和婴儿的安全与健康" * 3},
        {"title": "病院の産科病棟の閉鎖を止めよう", "headline": "保健委員会が計画を確認"},
        {"title": "أوقفوا إغلاق جناح الولادة في مستشفى ريفرسايد المجتمعي"},
        {"headline": "מועצת הבריאות מאשרת את התוכנית"},
        {"title": "Save our bees 🐝🌻 👩‍👩‍👧 ✊🏽 Ça suffit, Zoë"},
        {"title": "Tab\there\nnewline\x00nul\x7fdel \ud800 lone surrogate \u202eoverride"},
        {"site_name": "A site name far too long for the corner of any card " * 5},
    ],
)
def test_unusual_input_still_renders(changes):
    card(**changes)


def test_renders_without_system_fonts(monkeypatch, tmp_path):
    monkeypatch.setattr(social_card, "FONT_DIR", tmp_path)  # an empty directory
    social_card._font.cache_clear()
    try:
        card(title="Café «naïve» 停止 مستشفى 🐝")
    finally:
        social_card._font.cache_clear()


def test_progress_bar_is_half_filled_at_half_the_goal():
    image = card(count=25_000, goal=50_000)
    for fraction in (0.05, 0.25, 0.45):
        assert near(bar_pixel(image, fraction), social_card.ACCENT)
    for fraction in (0.55, 0.75, 0.95):
        assert near(bar_pixel(image, fraction), social_card.PAPER)


def test_empty_progress_bar_shows_its_outlined_track():
    image = card(count=0)
    x0, y0, x1, _ = social_card.BAR_BOX
    assert near(bar_pixel(image, 0.02), social_card.PAPER)
    assert near(bar_pixel(image, 0.5), social_card.PAPER)
    assert near(image.getpixel(((x0 + x1) // 2, y0)), social_card.TRACK_OUTLINE, tolerance=40)


@pytest.mark.parametrize(("count", "goal"), [(120_000, 50_000), (1, 1), (5, 0)])
def test_progress_bar_is_full_at_or_past_the_goal(count, goal):
    image = card(count=count, goal=goal)
    assert near(bar_pixel(image, 0.98), social_card.ACCENT)


def test_one_signature_shows_on_the_bar():
    assert near(bar_pixel(card(count=1, goal=1_000_000), 0.01), social_card.ACCENT)


@pytest.mark.parametrize(
    ("count", "goal", "label"),
    [
        (12_345, 50_000, "12,345 signatures · goal 50,000"),
        (1, 100, "1 signature · goal 100"),
        (0, 10, "0 signatures · goal 10"),
        (7, 0, "7 signatures"),
    ],
)
def test_count_label(count, goal, label):
    assert count_label(count, goal) == label


@pytest.mark.parametrize(
    ("count", "bucket"),
    [
        (0, 0),
        (1, 1),
        (99, 99),
        (100, 100),
        (109, 100),
        (999, 990),
        (1_000, 1_000),
        (1_234, 1_200),
        (56_789, 56_000),
        (99_999, 99_000),
        (1_049_999, 1_000_000),
    ],
)
def test_count_bucket(count, bucket):
    assert count_bucket(count) == bucket


def test_wrapped_text_stays_within_its_lines_and_width():
    font = social_card._font(60, bold=True)
    lines, cut = social_card._wrap("word " * 100 + "x" * 500, font, 800, 3)
    assert cut and len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 800 for line in lines)
    lines, cut = social_card._wrap("y" * 60, font, 800, 3)  # a long word is broken, not lost
    assert not cut and "".join(lines) == "y" * 60


class Builder:
    """A build function that counts its calls; it returns once `until()` holds, if given."""

    def __init__(self, data: bytes = b"card", until: Callable[[], bool] | None = None) -> None:
        self.data, self.until, self.calls = data, until, 0

    def __call__(self) -> bytes:
        self.calls += 1
        if self.until is not None:
            wait_until(self.until, what="the other threads to ask for the card being built")
        return self.data


class CountingDict(dict):
    """CardCache's table of the keys being built, counting the threads that came for one."""

    asked = 0

    def setdefault(self, key, default=None):
        self.asked += 1  # under the cache's own lock
        return super().setdefault(key, default)


def test_cache_builds_once_per_key():
    cache, build = CardCache(None), Builder()
    assert cache.get((1, "title", 100), build) == b"card"
    assert cache.get((1, "title", 100), build) == b"card"
    assert build.calls == 1
    cache.get((1, "title", 200), build)
    assert build.calls == 2


def test_cache_evicts_the_least_recently_used_beyond_max_entries():
    cache, build = CardCache(None, max_entries=2), Builder()
    cache.get(("a",), build)
    cache.get(("b",), build)
    cache.get(("a",), build)  # now "b" is the least recently used
    cache.get(("c",), build)
    assert build.calls == 3
    cache.get(("a",), build)
    assert build.calls == 3
    cache.get(("b",), build)
    assert build.calls == 4


def test_cache_builds_once_for_threads_that_ask_together():
    cache = CardCache(None)
    cache._building = CountingDict()
    # The build ends only once all 8 threads hold the key's lock: 7 must wait and reuse it.
    build = Builder(until=lambda: cache._building.asked == 8)
    threads = [threading.Thread(target=cache.get, args=(("k",), build)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert build.calls == 1


def test_cache_retries_after_a_failed_build():
    cache = CardCache(None)

    def fail() -> bytes:
        raise RuntimeError("font server down")

    with pytest.raises(RuntimeError):
        cache.get(("k",), fail)
    assert cache.get(("k",), Builder()) == b"card"


def test_cache_files_are_shared_between_processes(tmp_path):
    first, build = CardCache(tmp_path / "cards"), Builder(b"\x89PNG shared")
    first.get((7, "Save the ward", 1_200), build)
    files = list((tmp_path / "cards").iterdir())
    assert [f.suffix for f in files] == [".png"]  # no temporary file is left behind
    assert len(files[0].stem) == len(hashlib.sha256().hexdigest())

    second = CardCache(tmp_path / "cards")  # another worker process, its memory empty
    assert second.get((7, "Save the ward", 1_200), Builder(b"rebuilt")) == b"\x89PNG shared"
    assert second.get((7, "Save the ward", 1_300), Builder(b"rebuilt")) == b"rebuilt"


def test_cache_still_serves_when_the_directory_is_unusable(tmp_path, caplog):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    cache, build = CardCache(blocker), Builder()
    assert cache.get(("k",), build) == b"card"
    assert cache.get(("k",), build) == b"card"
    assert build.calls == 1
    assert "Could not write a social card" in caplog.text


def test_cache_refuses_no_room():
    with pytest.raises(ValueError):
        CardCache(None, max_entries=0)
