"""Django's own admin pages for our models in Persian and Arabic: the change forms' field labels,
help texts and errors, the change lists' columns, filters and actions come from the models'
translatable verbose names and the admin's marked strings; English is unchanged."""

import datetime

import pytest
from lxml import html

from archive.articles.models import Keyword

pytestmark = pytest.mark.django_db

# What an editor reads beside each field of the article's change form, and above the byline rows.
ARTICLE_FORM = {
    "en": {
        "id_title": "Title:",
        "id_subtitle": "Subtitle:",
        "id_date": "Date:",
        "id_status": "Status:",
        "id_abstract": "Abstract:",
        "id_body": "Body:",
        "id_keywords": "Keywords:",
        "id_source_name": "Publication or journal:",
        "id_source_volume": "Volume:",
        "id_doi": "DOI:",
        "id_source_url": "Original URL:",
        "byline heading": "Authors (in byline order: lowest position first)",
        "byline columns": ["Position", "Author"],
        "fieldsets": ["Kind and language", "Content", "Source", "Import"],
    },
    "fa": {
        "id_title": "عنوان:",
        "id_subtitle": "زیرعنوان:",
        "id_date": "تاریخ:",
        "id_status": "وضعیت:",
        "id_abstract": "چکیده:",
        "id_body": "متن:",
        "id_keywords": "کلیدواژه‌ها:",
        "id_source_name": "نشریه یا مجله:",
        "id_source_volume": "دوره:",
        "id_doi": "DOI:",
        "id_source_url": "نشانی اصلی:",
        "byline heading": "نویسندگان (به ترتیب نام‌ها در مقاله: جایگاه کمتر نخست)",
        "byline columns": ["جایگاه", "نویسنده"],
        "fieldsets": ["نوع و زبان", "محتوا", "منبع", "درون‌بُرد"],
    },
    "ar": {
        "id_title": "العنوان:",
        "id_subtitle": "العنوان الفرعي:",
        "id_date": "التاريخ:",
        "id_status": "الحالة:",
        "id_abstract": "الملخص:",
        "id_body": "المتن:",
        "id_keywords": "الكلمات المفتاحية:",
        "id_source_name": "المنشور أو المجلة:",
        "id_source_volume": "المجلد:",
        "id_doi": "DOI:",
        "id_source_url": "الرابط الأصلي:",
        "byline heading": "المؤلفون (بترتيب الأسماء في المقالة: الموضع الأصغر أولًا)",
        "byline columns": ["الموضع", "مؤلف"],
        "fieldsets": ["النوع واللغة", "المحتوى", "المصدر", "الاستيراد"],
    },
}

ARTICLE_LIST = {
    "en": {
        "columns": ["Title", "Authors", "Date", "Status", "Kind", "Language", "On the site"],
        "filters": ["Status", "Kind", "Language", "Year of publication"],
        "actions": [
            "Delete selected articles",
            "Publish selected articles",
            "Unpublish selected articles (back to draft)",
        ],
    },
    "fa": {
        "columns": ["عنوان", "نویسندگان", "تاریخ", "وضعیت", "نوع", "زبان", "در سایت"],
        "filters": ["وضعیت", "نوع", "زبان", "سال انتشار"],
        "actions": [
            "حذف مقاله‌های برگزیده",
            "انتشار مقاله‌های برگزیده",
            "لغو انتشار مقاله‌های برگزیده (بازگشت به پیش‌نویس)",
        ],
    },
    "ar": {
        "columns": ["العنوان", "المؤلفون", "التاريخ", "الحالة", "النوع", "اللغة", "على الموقع"],
        "filters": ["الحالة", "النوع", "اللغة", "سنة النشر"],
        "actions": [
            "حذف المقالات المحددة",
            "نشر المقالات المحددة",
            "إلغاء نشر المقالات المحددة (إعادتها إلى مسودة)",
        ],
    },
}


def prefix(lang):
    return "" if lang == "en" else f"/{lang}"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content.decode())


def texts(nodes):
    return [" ".join(node.text_content().split()) for node in nodes]


@pytest.fixture
def piece(make_article):
    return make_article(
        "Iraq and the New Russian Policy",
        authors=["Ali Akbar Asadi"],
        keywords=["Iraq"],
        date=datetime.date(2012, 10, 25),
        abstract="Russia returns to Iraq.",
        source_name="Iran Review",
    )


@pytest.mark.parametrize("lang", ["en", "fa", "ar"])
def test_article_change_form_labels(admin_client, piece, lang):
    expected = ARTICLE_FORM[lang]
    root = page(admin_client, f"{prefix(lang)}/admin/articles/article/{piece.pk}/change/")
    for field_id, label in expected.items():
        if field_id.startswith("id_"):
            assert texts(root.xpath(f"//label[@for='{field_id}']")) == [label], field_id
    inline = root.xpath("//fieldset[@aria-labelledby='authorships-heading']")[0]
    assert texts(inline.xpath(".//h2")) == [expected["byline heading"]]
    assert texts(inline.xpath(".//thead/tr/th[starts-with(@class, 'column-')]")) == expected["byline columns"]
    assert texts(root.xpath("//h2[@class='fieldset-heading']")) == expected["fieldsets"]


@pytest.mark.parametrize("lang", ["en", "fa", "ar"])
def test_article_change_list_columns_filters_and_actions(admin_client, piece, lang):
    expected = ARTICLE_LIST[lang]
    root = page(admin_client, f"{prefix(lang)}/admin/articles/article/")
    columns = root.xpath("//table[@id='result_list']/thead/tr/th[contains(concat(' ', @class), ' column-')]")
    assert texts(columns) == expected["columns"]
    assert root.xpath("//nav[@id='changelist-filter']/details/@data-filter-title") == [
        title.lower() if lang == "en" else title for title in expected["filters"]
    ]
    assert texts(root.xpath("//select[@name='action']/option[@value!='']")) == expected["actions"]


def test_author_and_keyword_forms_and_the_index_in_persian(admin_client, piece):
    author = piece.authors.get()
    root = page(admin_client, f"/fa/admin/articles/author/{author.pk}/change/")
    assert texts(root.xpath("//label[@for]")) == ["نام:", "نامک:", "وابستگی سازمانی:", "زندگی‌نامه:"]
    assert texts(root.xpath("//div[@id='id_affiliation_helptext']")) == [
        "سطر عنوان زیر نام نویسنده، برای نمونه «دانشجوی دکتری، دانشگاه …»."
    ]
    assert texts(root.xpath("//div[@id='id_slug_helptext']")) == [
        "خالی بگذارید تا از عنوان یا نام ساخته شود."
    ]

    root = page(admin_client, "/fa/admin/articles/author/")
    assert texts(root.xpath("//select[@name='action']/option[@value!='']")) == [
        "حذف نویسندگان برگزیده",
        "ادغام نویسندگان برگزیده…",
    ]

    # The admin's index names the app and its models in Persian.
    root = page(admin_client, "/fa/admin/")
    app = root.xpath("//div[contains(@class, 'app-articles')]")[0]
    assert texts(app.xpath(".//caption")) == ["مقاله‌ها"]
    assert texts(app.xpath(".//th[@scope='row']")) == ["مقاله‌ها", "نویسندگان", "کلیدواژه‌ها"]


@pytest.mark.parametrize(
    ("lang", "empty", "duplicate"),
    [
        (
            "en",
            "The keyword is empty once markup is removed.",
            "The keyword “Iraq” already exists (keywords ignore case). "
            "To combine the two, select both in the keyword list and merge them.",
        ),
        (
            "fa",
            "کلیدواژه پس از برداشتن نشانه‌گذاری خالی است.",
            "کلیدواژهٔ «Iraq» از پیش هست (بزرگی و کوچکی حروف در کلیدواژه‌ها یکی است). "
            "برای یکی کردن این دو، هر دو را در فهرست کلیدواژه‌ها برگزینید و ادغامشان کنید.",
        ),
        (
            "ar",
            "الكلمة المفتاحية فارغة بعد إزالة الوسوم.",
            "الكلمة المفتاحية «Iraq» موجودة من قبل (لا تميّز الكلمات المفتاحية بين الأحرف الكبيرة "
            "والصغيرة). لجمع الاثنتين، حدِّد كلتيهما في قائمة الكلمات المفتاحية وادمجهما.",
        ),
    ],
    ids=["en", "fa", "ar"],
)
def test_keyword_form_errors_in_each_language(admin_client, piece, lang, empty, duplicate):
    url = f"{prefix(lang)}/admin/articles/keyword/add/"
    for name, error in [("<b></b>", empty), ("IRAQ", duplicate)]:
        response = admin_client.post(url, {"name": name, "slug": ""})
        assert response.status_code == 200
        root = html.fromstring(response.content.decode())
        assert texts(root.xpath("//ul[@id='id_name_error']/li")) == [error]
    assert list(Keyword.objects.values_list("name", flat=True)) == ["Iraq"]


@pytest.mark.parametrize(
    ("lang", "title", "button", "option"),
    [
        ("en", "Merge keywords", "Merge into the chosen keyword", "Merge selected keywords…"),
        ("fa", "ادغام کلیدواژه‌ها", "ادغام در کلیدواژه برگزیده", "ادغام کلیدواژه‌های برگزیده…"),
        (
            "ar",
            "الدمج: الكلمات المفتاحية",
            "الدمج في السجل المختار (كلمة مفتاحية)",
            "دمج الكلمات المفتاحية المحددة…",
        ),
    ],
    ids=["en", "fa", "ar"],
)
def test_keyword_merge_confirmation_names_the_model_in_each_language(
    admin_client, make_article, lang, title, button, option
):
    make_article("One", keywords=["Gulf", "Persian Gulf"])
    root = page(admin_client, f"{prefix(lang)}/admin/articles/keyword/")
    assert texts(root.xpath("//select[@name='action']/option[@value='merge_selected']")) == [option]
    selected = {
        "action": "merge_selected",
        "_selected_action": list(Keyword.objects.values_list("pk", flat=True)),
    }
    response = admin_client.post(f"{prefix(lang)}/admin/articles/keyword/", selected)
    assert response.status_code == 200
    root = html.fromstring(response.content.decode())
    assert texts(root.xpath("//div[@id='content']/h1")) == [title]
    assert root.xpath("//div[@class='submit-row']/input[@type='submit']/@value") == [button]
