"""Forms for code-list management (superbeheerder)."""

from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ..forms_common import REQUIRED, Form
from ..models import CodeList, CodeOption
from ..params import ascii_int
from . import codelists_service as service

LABEL_LENGTH = f"Gebruik 1 tot {service.LABEL_MAX} tekens."
CODE_FORMAT = ("Gebruik 1 tot 64 kleine letters (a–z), cijfers of _ (geen hoofdletters, "
               "spaties of accenten).")
CODE_TAKEN = "Deze code bestaat al in deze lijst. Kies een andere code of laat het veld leeg."
LADDER_FORMAT = (f"Geef een geheel getal van {service.LADDER_MIN} tot {service.LADDER_MAX} in, "
                 "of laat het veld leeg.")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _label_field(label: str) -> StringField:
    return StringField(label, filters=[_strip], validators=[
        DataRequired(REQUIRED), Length(max=service.LABEL_MAX, message=LABEL_LENGTH)])


class AddOptionForm(Form):
    label = _label_field("Omschrijving")
    code = StringField("Code (niet verplicht)", filters=[_strip], validators=[Optional()])
    ladder = StringField("Trede op de participatieladder (niet verplicht)", filters=[_strip],
                         validators=[Optional()])

    def __init__(self, *args, code_list: CodeList, with_ladder: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.code_list = code_list
        if not with_ladder:
            del self.ladder

    def validate_label(self, field) -> None:
        message = service.label_conflict(self.code_list, field.data)
        if message:
            raise ValidationError(message)

    def validate_code(self, field) -> None:
        if not service.CODE_PATTERN.fullmatch(field.data):
            raise ValidationError(CODE_FORMAT)
        if service.code_exists(self.code_list, field.data):
            raise ValidationError(CODE_TAKEN)

    def validate_ladder(self, field) -> None:
        if ascii_int(field.data, min=service.LADDER_MIN, max=service.LADDER_MAX) is None:
            raise ValidationError(LADDER_FORMAT)

    @property
    def ladder_value(self) -> int | None:
        field = getattr(self, "ladder", None)
        return ascii_int(field.data) if field is not None and field.data else None


class RenameOptionForm(Form):
    label = _label_field("Nieuwe omschrijving")

    def __init__(self, *args, code_list: CodeList, option: CodeOption, **kwargs):
        super().__init__(*args, **kwargs)
        self.code_list = code_list
        self.option = option

    def validate_label(self, field) -> None:
        message = service.label_conflict(self.code_list, field.data, exclude_id=self.option.id)
        if message:
            raise ValidationError(message)
