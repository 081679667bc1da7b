"""Knowledge-base articles for each district's Deputy Commissioner's Office, made from
the gazetteer: Bangladesh's `districts.csv` gives every district its web portal
(`www.<district>.gov.bd`), where the office's services, forms and contacts are
published. No phone number is given: the gazetteer has none, and we invent none.

`routing.seed` writes them after the areas (new ones only: an admin's edit survives).
Upazila portals are in `upazilas.csv` too; they are not articles yet (the knowledge
base picks one article per topic and district).
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session

from grievance_engine import knowledge_import
from routing.seed_data import DATA_DIR, district_portals

TOPIC = "district_office"
# When these texts were written; the portals themselves come from the gazetteer data.
CHECKED = date(2026, 12, 6)
KEYWORDS = {
    "en": ["dc office", "deputy commissioner", "district office", "district administration"],
    "bn": ["জেলা প্রশাসক", "ডিসি অফিস", "জেলা প্রশাসন", "জেলা প্রশাসকের কার্যালয়"],
    "bn-Latn": ["dc office", "jela proshashok", "zila proshashon", "jela proshason"],
}


def articles(country: str) -> list[knowledge_import.ArticleIn]:
    """One article per district with a portal (Bangladesh only)."""
    if country != "BD":
        return []
    made = []
    for name, name_bn, portal in district_portals(DATA_DIR / "bd" / "districts.csv"):
        made.append(
            knowledge_import.ArticleIn(
                code=f"dc_office_{re.sub(r'[^a-z0-9]+', '_', name.lower()).strip('_')}",
                topic=TOPIC,
                title={
                    "en": f"Deputy Commissioner's Office, {name}",
                    "bn": f"জেলা প্রশাসকের কার্যালয়, {name_bn}",
                },
                body={
                    "en": f"Services, forms, notices and the offices' phone numbers of {name} "
                    f"district: {portal}. Or visit your Union Digital Centre.",
                    "bn": f"{name_bn} জেলার সেবা, ফরম, নোটিশ ও অফিসের ফোন নম্বর: {portal}। "
                    "অথবা ইউনিয়ন ডিজিটাল সেন্টারে যান।",
                },
                keywords=KEYWORDS,
                districts=[name],
                source=f"https://{portal}",
                checked=CHECKED,
            )
        )
    return made


def seed(*, session: Session, country: str) -> int:
    """Write the district offices' articles that are missing; how many were new."""
    inserted, _ = knowledge_import.write(session, articles(country), replace=False)
    return inserted
