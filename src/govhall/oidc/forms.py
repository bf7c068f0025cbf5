from django import forms
from django.utils.translation import gettext_lazy as _

from . import scopes as scope_defs
from .models import Client


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Platform name"), max_length=100)
    kind = forms.ChoiceField(label=_("Client type"), choices=Client.Kind.choices, widget=forms.RadioSelect,
                             initial=Client.Kind.CONFIDENTIAL)
    redirect_uris = forms.CharField(label=_("Redirect URIs"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text=_("One per line, exactly as the platform sends them. HTTPS only "
                                                "(http://localhost for development)."))
    grant_types = forms.MultipleChoiceField(label=_("Grant types"), choices=Client.Grant.choices,
                                            widget=forms.CheckboxSelectMultiple,
                                            initial=[Client.Grant.AUTHORIZATION_CODE])
    scope = forms.MultipleChoiceField(label=_("Allowed scopes"), widget=forms.CheckboxSelectMultiple,
                                      choices=[(s.name, f"{s.name} · {s.label}") for s in scope_defs.SCOPES.values()],
                                      initial=[scope_defs.OPENID, scope_defs.PROFILE])

    def clean_redirect_uris(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["redirect_uris"].splitlines() if line.strip()]
