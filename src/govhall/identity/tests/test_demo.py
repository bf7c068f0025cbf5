"""Demo people: citizen 张三 (level 3) represents the tea company; agent_li holds a mandate."""

from govhall.demo import catalog as catalog_demo
from govhall.demo import identity as demo
from govhall.identity.models import AgentMandate, LegalPerson, User
from govhall.identity.selectors import agent_authority


def test_demo_people_company_and_mandate(db):
    User.objects.create_user(username="citizen", password=catalog_demo.DEMO_PASSWORD, is_demo=True)
    assert demo.create_demo_people() == {"persons": 2, "legal_persons": 1, "mandates": 1}
    citizen, li = User.objects.get(username="citizen"), User.objects.get(username="agent_li")
    assert citizen.person.trust_level == li.person.trust_level == 3
    assert li.is_demo and li.check_password(catalog_demo.DEMO_PASSWORD)
    company = LegalPerson.objects.get()
    assert company.legal_representative == citizen.person
    assert agent_authority(agent=li.person, legal_person=company, item_code="ANY") == AgentMandate.objects.get()
