"""Topics and organs: the small lists other channels (mobile, kiosk) build their menus from."""

from govhall.catalog import testing


def test_topics_are_listed_and_can_be_filtered_by_audience(client, db):
    testing.make_topic("E02", "准营准办", "enterprise")
    testing.make_topic("P01", "生育收养", "person")
    data = client.get("/api/v1/catalog/topics").json()
    assert {t["code"] for t in data["results"]} == {"E02", "P01"} and data["count"] == 2
    persons = client.get("/api/v1/catalog/topics", {"audience": "person"}).json()["results"]
    assert [(t["code"], t["name"], t["audience"]) for t in persons] == [("P01", "生育收养", "person")]
    assert persons[0]["audience_label"]
    assert client.get("/api/v1/catalog/topics", {"audience": "martian"}).status_code == 422


def test_organs_are_those_with_published_items_and_can_be_filtered_by_region(client, organ, other_organ, regions):
    testing.make_item(organ=organ)
    testing.make_item(organ=organ)
    testing.make_item(organ=other_organ, publish=False)
    data = client.get("/api/v1/catalog/organs").json()
    assert [(o["credit_code"], o["item_count"]) for o in data["results"]] == [(organ.credit_code, 2)]
    assert data["results"][0]["region_code"] == "341500" and data["results"][0]["region_name"] == "六安市"
    assert client.get("/api/v1/catalog/organs", {"region": "341500"}).json()["count"] == 1
    assert client.get("/api/v1/catalog/organs", {"region": "340100"}).json()["count"] == 0
    assert client.get("/api/v1/catalog/organs", {"region": "999999"}).json() == {"count": 0, "results": []}
