from django.http import HttpResponse

from govhall.core.permissions import PUBLIC, requires


@requires(PUBLIC)
def home(request):
    return HttpResponse("GovHall")
