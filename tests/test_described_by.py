"""Every aria-describedby names an element that is on the page (issue 11: fields pointed at help and error ids
that were never rendered), on every main page as its user, and on forms showing their errors."""

import re

import pytest

from tests.browser_support import build_site, signed_in_as_each

pytestmark = pytest.mark.django_db

INVALID = {  # forms sent back with errors, as the user who fills them
    "vcd_analyst": ["/crimes/?month_from=2017-13", "/performance/?period=2017-13", "/equality/?month_from=x",
                    "/map/?month_to=bad"],
    "vcd_supervisor": ["/performance/targets/"],
    "auditor": ["/audit/?q=record&object_type=crime.crime&object_id="],
}


def dangling(html: str) -> list[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    return [target for described in re.findall(r'aria-describedby="([^"]+)"', html)
            for target in described.split() if target not in ids]


def test_every_aria_describedby_names_an_element_on_the_page(client, london, demo_file):
    site = build_site(demo_file)
    problems = []
    for username, pages in signed_in_as_each(client, site):
        paths = [page.path for page in pages] + INVALID.get(username, [])
        for path in paths:
            response = client.get(path)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            problems += [f"{path} as {username}: #{target}" for target in dangling(response.content.decode())]
    assert not problems, "aria-describedby names ids that are not on the page:\n" + "\n".join(problems)
