from django.http import HttpResponse


def _stub(request, public_id=""):
    return HttpResponse("")


lead_list = lead_create = lead_detail = lead_edit = lead_call = lead_qualify = lead_disqualify = _stub
board = opportunity_list = forecast = opportunity_create = opportunity_detail = opportunity_edit = _stub
opportunity_move = pipeline_admin = stage_edit = _stub
