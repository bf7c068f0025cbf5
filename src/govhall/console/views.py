from django.http import HttpResponse

from govhall.catalog.permissions import CONSOLE
from govhall.core.permissions import requires


@requires(CONSOLE)
def home(request):
    return HttpResponse("console")
