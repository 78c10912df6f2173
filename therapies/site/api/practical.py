"""The API's shape of a therapy's structured practical facts (models/practical.py)."""

from ninja import Schema
from pydantic import Field

from ...models.practical import Setting


class HowGiven(Schema):
    description: str = Field(description="One plain sentence: route, how often and where (empty until entered).")
    setting: Setting | None = Field(description="Where the usual dose is taken or given.")
    schedule: str = Field(description="How often, in plain words.")
    doses_first_year: int | None = Field(description="Dose days in the first 12 months.")
    doses_second_year: int | None
    doses_later_years: int | None = Field(description="Dose days a year from the third year on (0: none planned).")
    dose_time: str = Field(description="How long a dose takes.")


class Checks(Schema):
    before: str = Field(description="Tests and visits before starting.")
    first_year: str
    later: str
    visits_first_year: int | None = Field(description="Visits the labels set a time for in the first 12 months.")
    visits_later_years: int | None = Field(description="The same for a later year (the most, if years differ).")


class PregnancyPlanning(Schema):
    contraception_us: str = Field(description="Contraception after the last dose, US label (empty: none given).")
    contraception_eu: str = Field(description="Contraception after the last dose, EU label (empty: none given).")
    contraception_note: str
    washout: str = Field(description="Stopping before a pregnancy, or clearing the medicine faster.")
    breastfeeding_us: str
    breastfeeding_eu: str


class PracticalFactsOut(Schema):
    how_given: HowGiven
    checks: Checks
    pregnancy_planning: PregnancyPlanning


def practical_facts(obj) -> PracticalFactsOut:
    """A live therapy's practical facts (reads its prefetched `routes`)."""
    return PracticalFactsOut(
        how_given=HowGiven(
            description=obj.plain_description(),
            setting=obj.setting or None,
            schedule=obj.schedule,
            doses_first_year=obj.doses_first_year,
            doses_second_year=obj.doses_second_year,
            doses_later_years=obj.doses_later_years,
            dose_time=obj.dose_time,
        ),
        checks=Checks(
            before=obj.checks_before,
            first_year=obj.checks_first_year,
            later=obj.checks_later,
            visits_first_year=obj.visits_first_year,
            visits_later_years=obj.visits_later_years,
        ),
        pregnancy_planning=PregnancyPlanning(
            contraception_us=obj.contraception_us,
            contraception_eu=obj.contraception_eu,
            contraception_note=obj.contraception_note,
            washout=obj.washout,
            breastfeeding_us=obj.breastfeeding_us,
            breastfeeding_eu=obj.breastfeeding_eu,
        ),
    )
