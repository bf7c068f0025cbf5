"""Onboarding real lists (docs/onboarding.md): regions mapped from 12-digit statistical codes, organs
without a credit code yet (legacy organisation code, codes as published), catalogue items without a
basic code, implementation items keyed by their local code with main items and sub-items, and
versions published as *listed* while their guide is incomplete."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, Q


def keys_and_regions(apps, schema_editor):
    """Existing items: key = their implementation code, region = their organ's region."""
    Item = apps.get_model("catalog", "ImplementationItem")
    for item in Item.objects.select_related("organ").only("pk", "code", "organ__region_id").iterator():
        Item.objects.filter(pk=item.pk).update(key=item.code, region_id=item.organ.region_id)


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0007_item_min_trust_level"),
    ]

    operations = [
        # --- regions ---
        migrations.AddField(
            model_name="region", name="statistical_code",
            field=models.CharField(blank=True, help_text="the 12-digit code as published, when the division code "
                                   "was mapped from it", max_length=12, verbose_name="statistical division code"),
        ),
        migrations.AddField(
            model_name="region", name="derived",
            field=models.JSONField(blank=True, default=dict, verbose_name="derived values"),
        ),
        # --- organs ---
        migrations.AlterField(
            model_name="organ", name="credit_code",
            field=models.CharField(blank=True, max_length=18, null=True, unique=True,
                                   verbose_name="unified social credit code"),
        ),
        migrations.AddField(
            model_name="organ", name="org_code",
            field=models.CharField(blank=True, help_text="legacy 9-character code, kept beside the credit code",
                                   max_length=9, verbose_name="organisation code (GB 11714)"),
        ),
        migrations.AddField(
            model_name="organ", name="source_codes",
            field=models.JSONField(blank=True, default=list, help_text="the department codes exactly as the "
                                   "onboarded list gave them", verbose_name="codes as published"),
        ),
        migrations.AddField(
            model_name="organ", name="derived",
            field=models.JSONField(blank=True, default=dict, verbose_name="derived values"),
        ),
        migrations.AlterField(
            model_name="organ", name="nature",
            field=models.CharField(blank=True, choices=[("1", "statutory organ"), ("2", "authorised organisation"),
                                                        ("3", "entrusted organisation"), ("9", "other")],
                                   max_length=1, verbose_name="nature"),
        ),
        migrations.AddConstraint(
            model_name="organ",
            constraint=models.UniqueConstraint(fields=("region", "name"), name="organ_name_unique_in_region"),
        ),
        # --- catalogue items ---
        migrations.AlterField(
            model_name="catalogitem", name="basic_code",
            field=models.CharField(blank=True, max_length=12, null=True, unique=True, verbose_name="basic code"),
        ),
        migrations.AlterField(
            model_name="catalogitem", name="legal_basis",
            field=models.TextField(blank=True, verbose_name="legal basis"),
        ),
        migrations.AlterField(
            model_name="catalogitem", name="local_code",
            field=models.CharField(blank=True, max_length=100, verbose_name="local code"),
        ),
        migrations.AddField(
            model_name="catalogitem", name="derived",
            field=models.JSONField(blank=True, default=dict, verbose_name="derived values"),
        ),
        migrations.AlterModelOptions(name="catalogitem", options={"ordering": ["basic_code", "local_code", "id"]}),
        migrations.AddConstraint(
            model_name="catalogitem",
            constraint=models.UniqueConstraint(condition=~Q(local_code=""), fields=("region", "local_code"),
                                               name="catalog_local_code_unique_in_region"),
        ),
        # --- implementation items ---
        migrations.AddField(
            model_name="implementationitem", name="key",
            field=models.CharField(max_length=100, null=True, verbose_name="item key"),
        ),
        migrations.AddField(
            model_name="implementationitem", name="region",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="implementation_items", to="catalog.region"),
        ),
        migrations.RunPython(keys_and_regions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="implementationitem", name="key",
            field=models.CharField(max_length=100, unique=True, verbose_name="item key"),
        ),
        migrations.AlterField(
            model_name="implementationitem", name="region",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="implementation_items", to="catalog.region"),
        ),
        migrations.AlterField(
            model_name="implementationitem", name="code",
            field=models.CharField(blank=True, max_length=31, null=True, unique=True,
                                   verbose_name="implementation code"),
        ),
        migrations.AlterField(
            model_name="implementationitem", name="local_code",
            field=models.CharField(blank=True, max_length=100, verbose_name="local code"),
        ),
        migrations.AddField(
            model_name="implementationitem", name="parent",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="sub_items", to="catalog.implementationitem",
                                    verbose_name="main item"),
        ),
        migrations.AddField(
            model_name="implementationitem", name="derived",
            field=models.JSONField(blank=True, default=dict, verbose_name="derived values"),
        ),
        migrations.AlterModelOptions(name="implementationitem", options={"ordering": ["key"]}),
        migrations.AddConstraint(
            model_name="implementationitem",
            constraint=models.UniqueConstraint(condition=~Q(local_code=""), fields=("region", "local_code"),
                                               name="item_local_code_unique_in_region"),
        ),
        migrations.AddConstraint(
            model_name="implementationitem",
            constraint=models.CheckConstraint(condition=~Q(parent=F("pk")), name="item_not_its_own_main_item"),
        ),
        # --- versions ---
        migrations.AddField(
            model_name="itemversion", name="completeness",
            field=models.CharField(choices=[("listed", "listed (guide not yet complete)"),
                                            ("complete", "complete guide")],
                                   default="complete", help_text="set when the version is published", max_length=10,
                                   verbose_name="completeness"),
        ),
    ]
