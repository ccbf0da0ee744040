"""Deterministic, realistic Japanese seed data (Accounts, Contacts, Leads) for the local dev org."""

from __future__ import annotations

import random
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import accumulate
from typing import Any

import phonenumbers

__all__ = [
    "FALLBACK_ACCOUNT_NAME",
    "FIELDS",
    "INDUSTRIES",
    "LEAD_SOURCES",
    "LEAD_STATUSES",
    "PHONE_FIELDS",
    "PHONE_FORMATS",
    "SeedRecord",
    "canonical_numbers",
    "generate_demo",
    "normalize_phone",
    "unknown_numbers",
]

FALLBACK_ACCOUNT_NAME = "登録情報なし"


@dataclass(frozen=True)
class SeedRecord:
    """One record to create in the dev org; references to other seed records go through ``parent_refs``."""

    object_name: str  # "Account" | "Contact" | "Lead"
    ref: str  # local reference key, unique in the seed ("acc-17", "con-3", "lead-9")
    fields: dict[str, Any]  # field API name -> str / bool / None (every field of FIELDS[object_name]; no Id)
    parent_refs: dict[str, str]  # reference field -> ref of an earlier SeedRecord, e.g. {"AccountId": "acc-17"}


# fmt: off
# Every field a seed record of each object carries (all keys always present, empty values are None).
FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("Name", "Phone", "Fax", "Industry", "BillingState", "BillingCity"),
    "Contact": (
        "LastName", "FirstName", "Title", "Email", "Phone", "MobilePhone", "HomePhone", "OtherPhone",
        "AssistantPhone",
    ),
    "Lead": (
        "LastName", "FirstName", "Company", "Title", "Email", "Phone", "MobilePhone", "Status", "LeadSource",
        "IsConverted",
    ),
}
# Phone-type fields (what SOSL ``IN PHONE FIELDS`` searches) among FIELDS.
PHONE_FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("Phone", "Fax"),
    "Contact": ("Phone", "MobilePhone", "HomePhone", "OtherPhone", "AssistantPhone"),
    "Lead": ("Phone", "MobilePhone"),
}

# Industry values used, all standard Salesforce picklist API values and all in the dev org schema's picklist
# (which holds a subset of the standard list; so no Apparel, Chemicals, Machinery, Food & Beverage …).
INDUSTRIES = (
    "Agriculture", "Banking", "Communications", "Construction", "Consulting", "Education", "Electronics",
    "Energy", "Finance", "Government", "Healthcare", "Insurance", "Manufacturing", "Media", "Retail",
    "Technology", "Telecommunications", "Transportation", "Other",
)
# fmt: on
LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Converted", "Closed - Not Converted")
# The LeadSource values of a new org (the brief's "Phone" is "Phone Inquiry" in Salesforce).
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other")
_LEAD_SOURCE_CUM = tuple(accumulate((40.0, 25.0, 15.0, 10.0, 10.0)))

# Names of the renderings a phone value can take (see _render).
PHONE_FORMATS = (
    "hyphen",  # 03-1234-5678
    "paren",  # (03)1234-5678
    "space",  # 03 1234 5678
    "digits",  # 0312345678
    "intl_hyphen",  # +81-3-1234-5678
    "intl_space",  # +81 90 1234 5678
    "fullwidth",  # ０３－１２３４－５６７８
    "extension",  # 03-1234-5678 内線123
    "daihyo",  # 03-1234-5678(代表)
)

# ---------------------------------------------------------------------------------------------------------------
# Places and area codes.
#
# (都道府県, 市区町村, 市外局番, allowed first digits of the 市内局番, weight). The area codes are real and the
# allowed exchange digits are those for which libphonenumber both validates the number and formats it with this
# very area code (so 045-xxx-xxxx is a Yokohama number, not a number of another area sharing the prefix); the
# tests check this for every row. National numbers are 10 digits: area (2–5 digits incl. the 0) + exchange
# (4–1 digits) + 4-digit subscriber number, e.g. 03-1234-5678, 045-123-4567, 0466-12-3456, 01267-2-3456.
# fmt: off
_CITIES: tuple[tuple[str, str, str, str, float], ...] = (
    ("東京都", "千代田区", "03", "3456", 7.0),
    ("東京都", "中央区", "03", "3456", 7.0),
    ("東京都", "港区", "03", "3456", 8.0),
    ("東京都", "新宿区", "03", "3456", 6.0),
    ("東京都", "渋谷区", "03", "3456", 5.0),
    ("東京都", "品川区", "03", "3456", 3.0),
    ("東京都", "江東区", "03", "3456", 2.0),
    ("東京都", "豊島区", "03", "3459", 2.0),
    ("東京都", "台東区", "03", "3458", 1.5),
    ("東京都", "立川市", "042", "5", 1.0),
    ("東京都", "八王子市", "042", "6", 1.0),
    ("東京都", "国分寺市", "042", "3", 0.5),
    ("東京都", "大島町", "04992", "2", 0.1),
    ("東京都", "八丈町", "04996", "2", 0.1),
    ("大阪府", "大阪市北区", "06", "4667", 5.0),
    ("大阪府", "大阪市中央区", "06", "4667", 5.0),
    ("大阪府", "大阪市淀川区", "06", "6", 2.0),
    ("大阪府", "豊中市", "06", "68", 1.0),
    ("大阪府", "堺市堺区", "072", "2", 1.0),
    ("大阪府", "八尾市", "072", "9", 0.7),
    ("大阪府", "茨木市", "072", "6", 0.7),
    ("神奈川県", "横浜市西区", "045", "23456789", 3.0),
    ("神奈川県", "横浜市港北区", "045", "23456789", 2.0),
    ("神奈川県", "川崎市川崎区", "044", "23456789", 2.0),
    ("神奈川県", "藤沢市", "0466", "23456789", 1.0),
    ("神奈川県", "平塚市", "0463", "23456789", 0.7),
    ("神奈川県", "横須賀市", "046", "8", 0.7),
    ("神奈川県", "厚木市", "046", "2", 0.7),
    ("神奈川県", "相模原市中央区", "042", "7", 0.8),
    ("愛知県", "名古屋市中区", "052", "23456789", 3.0),
    ("愛知県", "名古屋市中村区", "052", "23456789", 2.0),
    ("愛知県", "豊田市", "0565", "23456789", 1.0),
    ("愛知県", "岡崎市", "0564", "23456789", 0.7),
    ("北海道", "札幌市中央区", "011", "235678", 2.0),
    ("北海道", "札幌市北区", "011", "235678", 1.0),
    ("北海道", "旭川市", "0166", "23456789", 0.7),
    ("北海道", "釧路市", "0154", "234569", 0.4),
    ("北海道", "室蘭市", "0143", "23456789", 0.3),
    ("北海道", "岩見沢市", "01267", "23456789", 0.2),
    ("北海道", "名寄市", "01654", "23456789", 0.2),
    ("北海道", "河東郡上士幌町", "01564", "23456789", 0.1),
    ("北海道", "沙流郡日高町", "01456", "23456789", 0.1),
    ("福岡県", "福岡市博多区", "092", "23456789", 3.0),
    ("福岡県", "福岡市中央区", "092", "23456789", 2.0),
    ("福岡県", "北九州市小倉北区", "093", "23456789", 1.0),
    ("福岡県", "久留米市", "0942", "23456789", 0.5),
    ("宮城県", "仙台市青葉区", "022", "27", 2.0),
    ("広島県", "広島市中区", "082", "258", 2.0),
    ("広島県", "福山市", "084", "9", 0.7),
    ("京都府", "京都市下京区", "075", "23456789", 2.0),
    ("京都府", "京都市中京区", "075", "23456789", 1.0),
    ("兵庫県", "神戸市中央区", "078", "23456789", 2.0),
    ("兵庫県", "姫路市", "079", "2", 0.7),
    ("千葉県", "千葉市中央区", "043", "234", 1.0),
    ("千葉県", "船橋市", "047", "4", 1.0),
    ("千葉県", "市川市", "047", "3", 0.7),
    ("千葉県", "銚子市", "0479", "234", 0.3),
    ("千葉県", "成田市", "0476", "23456789", 0.4),
    ("千葉県", "市原市", "0436", "23456789", 0.4),
    ("埼玉県", "さいたま市浦和区", "048", "678", 1.5),
    ("埼玉県", "川口市", "048", "24", 1.0),
    ("埼玉県", "川越市", "049", "2", 0.8),
    ("埼玉県", "東松山市", "0493", "23456789", 0.3),
    ("埼玉県", "本庄市", "0495", "23456789", 0.3),
    ("静岡県", "静岡市葵区", "054", "2369", 1.0),
    ("静岡県", "浜松市中央区", "053", "45", 1.0),
    ("静岡県", "伊東市", "0557", "23456789", 0.3),
    ("静岡県", "沼津市", "055", "9", 0.5),
    ("山梨県", "甲府市", "055", "2", 0.4),
    ("新潟県", "新潟市中央区", "025", "23", 1.0),
    ("新潟県", "長岡市", "0258", "23456789", 0.4),
    ("長野県", "長野市", "026", "2", 0.6),
    ("長野県", "松本市", "0263", "23456789", 0.5),
    ("長野県", "諏訪市", "0266", "23456789", 0.3),
    ("茨城県", "水戸市", "029", "2", 0.6),
    ("茨城県", "土浦市", "029", "8", 0.4),
    ("茨城県", "龍ケ崎市", "0297", "6789", 0.2),
    ("茨城県", "古河市", "0280", "23456789", 0.2),
    ("栃木県", "宇都宮市", "028", "6", 0.8),
    ("群馬県", "前橋市", "027", "2", 0.5),
    ("群馬県", "高崎市", "027", "3", 0.5),
    ("石川県", "金沢市", "076", "2", 0.7),
    ("富山県", "富山市", "076", "4", 0.5),
    ("福井県", "福井市", "0776", "23456789", 0.4),
    ("岡山県", "岡山市北区", "086", "2", 0.8),
    ("岡山県", "倉敷市", "086", "4", 0.5),
    ("熊本県", "熊本市中央区", "096", "23", 0.8),
    ("鹿児島県", "鹿児島市", "099", "28", 0.7),
    ("沖縄県", "那覇市", "098", "89", 0.7),
    ("沖縄県", "島尻郡南大東村", "09802", "23456789", 0.05),
    ("愛媛県", "松山市", "089", "9", 0.6),
    ("愛媛県", "今治市", "0898", "23456789", 0.2),
    ("香川県", "高松市", "087", "8", 0.6),
    ("香川県", "丸亀市", "0877", "23456789", 0.2),
    ("島根県", "松江市", "0852", "23456789", 0.3),
    ("宮崎県", "都城市", "0986", "23456789", 0.3),
    ("秋田県", "秋田市", "018", "8", 0.4),
    ("岩手県", "盛岡市", "019", "69", 0.4),
    ("山形県", "米沢市", "0238", "2345", 0.2),
    ("青森県", "弘前市", "0172", "23456789", 0.3),
    ("青森県", "八戸市", "0178", "23456789", 0.3),
    ("岐阜県", "岐阜市", "058", "23", 0.6),
    ("岐阜県", "高山市", "05769", "23456789", 0.05),
    ("三重県", "津市", "059", "2", 0.4),
    ("三重県", "四日市市", "059", "3", 0.5),
    ("三重県", "熊野市", "05979", "234569", 0.05),
    ("滋賀県", "大津市", "077", "5", 0.5),
    ("奈良県", "奈良市", "0742", "23456789", 0.5),
    ("和歌山県", "和歌山市", "073", "4", 0.4),
    ("山口県", "萩市", "08387", "23456789", 0.05),
    ("長崎県", "長崎市", "095", "8", 0.5),
    ("大分県", "大分市", "097", "5", 0.5),
    ("佐賀県", "唐津市", "0955", "5678", 0.2),
    ("福島県", "福島市", "024", "5", 0.3),
    ("福島県", "郡山市", "024", "9", 0.4),
    ("徳島県", "徳島市", "088", "6", 0.3),
    ("高知県", "高知市", "088", "8", 0.3),
    ("鳥取県", "鳥取市", "0857", "23456789", 0.3),
)
# fmt: on
_CITY_CUM = tuple(accumulate(c[4] for c in _CITIES))

# ---------------------------------------------------------------------------------------------------------------
# Names. Every Japanese piece carries a romanisation, used for e-mail addresses and domains.

# fmt: off
_LAST_NAMES: tuple[tuple[str, str], ...] = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
    ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"),
    ("吉田", "yoshida"), ("山田", "yamada"), ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"),
    ("井上", "inoue"), ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"), ("阿部", "abe"),
    ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"), ("石井", "ishii"), ("小川", "ogawa"),
    ("前田", "maeda"), ("岡田", "okada"), ("長谷川", "hasegawa"), ("藤田", "fujita"), ("後藤", "goto"),
    ("近藤", "kondo"), ("村上", "murakami"), ("遠藤", "endo"), ("青木", "aoki"), ("坂本", "sakamoto"),
    ("斉藤", "saito"), ("福田", "fukuda"), ("太田", "ota"), ("西村", "nishimura"), ("藤井", "fujii"),
    ("金子", "kaneko"), ("岡本", "okamoto"), ("藤原", "fujiwara"), ("中野", "nakano"), ("三浦", "miura"),
    ("原田", "harada"), ("中川", "nakagawa"), ("松田", "matsuda"), ("竹内", "takeuchi"), ("小野", "ono"),
    ("田村", "tamura"), ("中山", "nakayama"), ("和田", "wada"), ("石田", "ishida"), ("森田", "morita"),
    ("上田", "ueda"), ("原", "hara"), ("内田", "uchida"), ("柴田", "shibata"), ("酒井", "sakai"),
    ("宮崎", "miyazaki"), ("横山", "yokoyama"), ("高木", "takagi"), ("安藤", "ando"), ("宮本", "miyamoto"),
    ("大野", "ono"), ("小島", "kojima"), ("谷口", "taniguchi"), ("今井", "imai"), ("工藤", "kudo"),
    ("高田", "takada"), ("増田", "masuda"), ("丸山", "maruyama"), ("杉山", "sugiyama"), ("村田", "murata"),
    ("大塚", "otsuka"), ("新井", "arai"), ("小山", "koyama"), ("平野", "hirano"), ("藤本", "fujimoto"),
    ("河野", "kono"), ("上野", "ueno"), ("野口", "noguchi"), ("武田", "takeda"), ("松井", "matsui"),
    ("千葉", "chiba"), ("岩崎", "iwasaki"), ("菅原", "sugawara"), ("木下", "kinoshita"), ("久保", "kubo"),
    ("佐野", "sano"), ("野村", "nomura"), ("松尾", "matsuo"), ("市川", "ichikawa"), ("菊地", "kikuchi"),
    ("杉本", "sugimoto"), ("古川", "furukawa"), ("大西", "onishi"), ("島田", "shimada"), ("水野", "mizuno"),
    ("桜井", "sakurai"), ("高野", "takano"), ("渡部", "watanabe"), ("吉川", "yoshikawa"), ("山内", "yamauchi"),
    ("西田", "nishida"), ("飯田", "iida"), ("菅野", "sugano"), ("中田", "nakata"), ("服部", "hattori"),
    ("樋口", "higuchi"), ("福島", "fukushima"), ("川口", "kawaguchi"), ("永井", "nagai"), ("松岡", "matsuoka"),
    ("田口", "taguchi"), ("山中", "yamanaka"), ("森本", "morimoto"), ("土屋", "tsuchiya"), ("矢野", "yano"),
    ("広瀬", "hirose"), ("秋山", "akiyama"), ("石原", "ishihara"), ("松下", "matsushita"), ("大橋", "ohashi"),
    ("松浦", "matsuura"), ("吉村", "yoshimura"), ("浅野", "asano"), ("小池", "koike"), ("大久保", "okubo"),
    ("荒木", "araki"), ("熊谷", "kumagai"), ("野田", "noda"), ("星野", "hoshino"), ("大島", "oshima"),
)
# Zipf-like: the common surnames are much more frequent.
_LAST_CUM = tuple(accumulate(1.0 / (i + 6) for i in range(len(_LAST_NAMES))))

_FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("太郎", "taro"), ("一郎", "ichiro"), ("健太", "kenta"), ("翔太", "shota"), ("大輔", "daisuke"),
    ("拓也", "takuya"), ("直樹", "naoki"), ("健一", "kenichi"), ("誠", "makoto"), ("隆", "takashi"),
    ("浩二", "koji"), ("和也", "kazuya"), ("達也", "tatsuya"), ("亮", "ryo"), ("蓮", "ren"),
    ("大翔", "hiroto"), ("悠真", "yuma"), ("陽翔", "haruto"), ("湊", "minato"), ("颯太", "sota"),
    ("優斗", "yuto"), ("翔", "sho"), ("修", "osamu"), ("聡", "satoshi"), ("剛", "tsuyoshi"),
    ("学", "manabu"), ("博", "hiroshi"), ("淳", "jun"), ("哲也", "tetsuya"), ("雄一", "yuichi"),
    ("大樹", "daiki"), ("康介", "kosuke"), ("俊介", "shunsuke"), ("陽介", "yosuke"), ("慎吾", "shingo"),
    ("秀樹", "hideki"), ("正人", "masato"), ("光", "hikaru"), ("勇気", "yuki"), ("賢治", "kenji"),
    ("花子", "hanako"), ("陽子", "yoko"), ("恵子", "keiko"), ("美咲", "misaki"), ("彩", "aya"),
    ("愛", "ai"), ("さくら", "sakura"), ("由美", "yumi"), ("真由美", "mayumi"), ("裕子", "yuko"),
    ("直美", "naomi"), ("明美", "akemi"), ("智子", "tomoko"), ("久美子", "kumiko"), ("香織", "kaori"),
    ("舞", "mai"), ("麻衣", "mai"), ("結衣", "yui"), ("陽菜", "hina"), ("葵", "aoi"),
    ("凛", "rin"), ("芽依", "mei"), ("美穂", "miho"), ("沙織", "saori"), ("絵美", "emi"),
    ("千尋", "chihiro"), ("菜々子", "nanako"), ("理恵", "rie"), ("奈緒", "nao"), ("瞳", "hitomi"),
    ("優子", "yuko"), ("真理子", "mariko"), ("紀子", "noriko"), ("亜美", "ami"), ("友美", "tomomi"),
    ("七海", "nanami"),
)

_TITLES: tuple[tuple[str | None, float], ...] = (
    (None, 14.0), ("担当", 14.0), ("主任", 12.0), ("係長", 9.0), ("課長", 12.0), ("課長代理", 4.0),
    ("部長", 9.0), ("次長", 3.0), ("マネージャー", 6.0), ("リーダー", 4.0), ("営業担当", 6.0),
    ("取締役", 2.5), ("常務取締役", 1.0), ("代表取締役", 2.0), ("代表取締役社長", 1.5), ("事務長", 0.5),
    ("院長", 0.5), ("総務部長", 1.0), ("購買担当", 2.0),
)
_TITLE_CUM = tuple(accumulate(t[1] for t in _TITLES))

# Company-name stems: first kanji × second kanji, katakana × katakana, and region names.
_KANJI_A: tuple[tuple[str, str], ...] = (
    ("東", "to"), ("西", "sai"), ("南", "nan"), ("北", "hoku"), ("中", "chu"), ("大", "dai"), ("新", "shin"),
    ("旭", "asahi"), ("朝日", "asahi"), ("日", "nichi"), ("光", "hikari"), ("明", "mei"), ("昭", "sho"),
    ("平", "hei"), ("富", "tomi"), ("栄", "sakae"), ("豊", "toyo"), ("福", "fuku"), ("幸", "ko"), ("協", "kyo"),
    ("共", "kyo"), ("三", "san"), ("丸", "maru"), ("山", "yama"), ("川", "kawa"), ("森", "mori"), ("松", "matsu"),
    ("竹", "take"), ("桜", "sakura"), ("菊", "kiku"), ("青", "ao"), ("緑", "midori"), ("白", "shiro"),
    ("金", "kane"), ("星", "hoshi"), ("高", "taka"), ("岡", "oka"), ("千", "sen"), ("万", "man"), ("久", "hisa"),
    ("永", "ei"), ("泰", "tai"), ("寿", "kotobuki"), ("美", "mi"), ("和", "wa"), ("安", "an"), ("信", "shin"),
    ("誠", "sei"), ("若", "waka"), ("瑞", "mizu"),
)
_KANJI_B: tuple[tuple[str, str], ...] = (
    ("和", "wa"), ("洋", "yo"), ("栄", "ei"), ("進", "shin"), ("光", "ko"), ("成", "sei"), ("友", "yu"),
    ("邦", "ho"), ("陽", "yo"), ("興", "ko"), ("伸", "shin"), ("立", "ritsu"), ("輝", "ki"), ("峰", "mine"),
    ("泉", "izumi"), ("野", "no"), ("田", "da"), ("島", "shima"), ("井", "i"), ("沢", "sawa"), ("原", "hara"),
    ("屋", "ya"), ("盛", "sei"), ("昌", "sho"), ("華", "ka"), ("隆", "ryu"), ("文", "bun"), ("央", "o"),
    ("宝", "ho"), ("生", "sei"), ("徳", "toku"), ("真", "shin"), ("晃", "ko"), ("幸", "ko"), ("道", "do"),
    ("海", "kai"), ("城", "jo"), ("崎", "saki"), ("村", "mura"), ("本", "moto"), ("木", "ki"), ("精", "sei"),
    ("秀", "shu"), ("鳳", "ho"),
)
_KATAKANA: tuple[tuple[str, str], ...] = (
    ("サクラ", "sakura"), ("ミライ", "mirai"), ("テクノ", "techno"), ("ネクスト", "next"), ("グローバル", "global"),
    ("エース", "ace"), ("サン", "sun"), ("トップ", "top"), ("ユニ", "uni"), ("フロンティア", "frontier"),
    ("クリエイト", "create"), ("アーク", "arc"), ("ブルー", "blue"), ("スマート", "smart"), ("ライフ", "life"),
    ("ワールド", "world"), ("ジャパン", "japan"), ("アクア", "aqua"), ("オーシャン", "ocean"), ("リンク", "link"),
    ("ビジョン", "vision"), ("ハーモニー", "harmony"), ("プライム", "prime"), ("ステラ", "stella"),
    ("ルミナ", "lumina"), ("ノヴァ", "nova"), ("アルファ", "alpha"), ("ベスト", "best"), ("コスモ", "cosmo"),
    ("シティ", "city"), ("グリーン", "green"), ("ウイング", "wing"), ("ピース", "peace"), ("ソレイユ", "soleil"),
)
_REGIONS: tuple[tuple[str, str], ...] = (
    ("札幌", "sapporo"), ("横浜", "yokohama"), ("名古屋", "nagoya"), ("京都", "kyoto"), ("神戸", "kobe"),
    ("福岡", "fukuoka"), ("仙台", "sendai"), ("広島", "hiroshima"), ("湘南", "shonan"), ("関東", "kanto"),
    ("関西", "kansai"), ("東海", "tokai"), ("北陸", "hokuriku"), ("九州", "kyushu"), ("四国", "shikoku"),
    ("北海道", "hokkaido"), ("東北", "tohoku"), ("中部", "chubu"), ("近畿", "kinki"), ("山陰", "sanin"),
    ("千葉", "chiba"), ("埼玉", "saitama"), ("多摩", "tama"), ("阪神", "hanshin"), ("京浜", "keihin"),
    ("信州", "shinshu"), ("房総", "boso"), ("武蔵", "musashi"), ("相模", "sagami"), ("駿河", "suruga"),
    ("瀬戸内", "setouchi"), ("城南", "jonan"), ("江戸", "edo"), ("浪速", "naniwa"), ("筑紫", "tsukushi"),
)

# Business suffix, its romanisation and the Industry it implies; the weight drives the industry mix.
_SUFFIXES: tuple[tuple[str, str, str, float], ...] = (
    ("商事", "shoji", "Retail", 9.0), ("物産", "bussan", "Retail", 3.0), ("商会", "shokai", "Retail", 3.0),
    ("ストア", "store", "Retail", 1.5),
    ("工業", "kogyo", "Manufacturing", 8.0), ("製作所", "seisakusho", "Manufacturing", 5.0),
    ("精機", "seiki", "Manufacturing", 3.0), ("機械", "kikai", "Manufacturing", 2.0), ("化学", "kagaku", "Manufacturing", 2.0),
    ("電機", "denki", "Electronics", 3.0), ("電子", "denshi", "Electronics", 2.0),
    ("システム", "system", "Technology", 6.0), ("ソフト", "soft", "Technology", 2.0),
    ("テクノロジー", "technology", "Technology", 2.0), ("情報サービス", "joho", "Technology", 2.0),
    ("ソリューションズ", "solutions", "Technology", 2.0),
    ("建設", "kensetsu", "Construction", 6.0), ("工務店", "koumuten", "Construction", 2.0),
    ("住建", "juken", "Construction", 1.0),
    ("運輸", "unyu", "Transportation", 3.0), ("物流", "butsuryu", "Transportation", 2.0),
    ("海運", "kaiun", "Transportation", 1.0),
    ("不動産", "fudosan", "Other", 3.0), ("地所", "jisho", "Other", 1.0),
    ("食品", "shokuhin", "Manufacturing", 4.0), ("フーズ", "foods", "Retail", 1.5),
    ("酒造", "shuzo", "Manufacturing", 0.5),
    ("ホテル", "hotel", "Other", 1.0), ("観光", "kanko", "Other", 1.0),
    ("保険サービス", "hoken", "Insurance", 1.0), ("ファイナンス", "finance", "Finance", 1.0),
    ("リース", "lease", "Finance", 1.0), ("証券", "shoken", "Finance", 0.5),
    ("通信", "tsushin", "Telecommunications", 1.5),
    ("コミュニケーションズ", "communications", "Communications", 0.7), ("コンサルティング", "consulting", "Consulting", 2.0),
    ("印刷", "insatsu", "Media", 1.5), ("広告", "kokoku", "Media", 1.0), ("出版", "shuppan", "Media", 0.5),
    ("薬品", "yakuhin", "Healthcare", 1.0), ("バイオ", "bio", "Healthcare", 0.5),
    ("農園", "noen", "Agriculture", 0.7), ("繊維", "seni", "Manufacturing", 1.0), ("アパレル", "apparel", "Retail", 0.7),
    ("エネルギー", "energy", "Energy", 1.0), ("ガス", "gas", "Energy", 0.5),
    ("設計", "sekkei", "Construction", 1.5), ("エンジニアリング", "engineering", "Consulting", 1.0),
    ("環境サービス", "kankyo", "Other", 1.0), ("リサイクル", "recycle", "Other", 0.5),
    ("エンターテインメント", "entertainment", "Media", 0.5), ("スポーツ", "sports", "Other", 0.5),
)
_SUFFIX_CUM = tuple(accumulate(s[3] for s in _SUFFIXES))

_FREE_MAIL = ("gmail.com", "yahoo.co.jp", "icloud.com", "outlook.jp", "docomo.ne.jp", "ezweb.ne.jp")

# ---------------------------------------------------------------------------------------------------------------
# Phone rendering.

_FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

# (format, weight) per kind of phone field; "daihyo" and "extension" are kept for office numbers.
_MIX_MAIN = (
    ("hyphen", 56.0), ("paren", 7.0), ("space", 3.0), ("digits", 10.0), ("intl_hyphen", 3.0),
    ("intl_space", 2.0), ("fullwidth", 6.0), ("daihyo", 13.0),
)
_MIX_OFFICE = (
    ("hyphen", 55.0), ("paren", 6.0), ("space", 4.0), ("digits", 10.0), ("intl_hyphen", 3.0),
    ("intl_space", 2.0), ("fullwidth", 6.0), ("extension", 14.0),
)
_MIX_MOBILE = (
    ("hyphen", 60.0), ("space", 4.0), ("digits", 20.0), ("intl_hyphen", 4.0), ("intl_space", 6.0),
    ("fullwidth", 6.0),
)
_MIX_OTHER = (("hyphen", 65.0), ("paren", 8.0), ("space", 3.0), ("digits", 15.0), ("fullwidth", 9.0))

# fmt: on


def _mix(pairs: Sequence[tuple[str, float]]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(p[0] for p in pairs), tuple(accumulate(p[1] for p in pairs))


_MAIN = _mix(_MIX_MAIN)
_OFFICE = _mix(_MIX_OFFICE)
_MOBILE = _mix(_MIX_MOBILE)
_OTHER = _mix(_MIX_OTHER)

_Number = tuple[str, str, str]  # (area code with leading 0, exchange, subscriber): national digits = concatenation


def _pick(rng: random.Random, items: Sequence[Any], cum: Sequence[float]) -> Any:
    return items[bisect_right(cum, rng.random() * cum[-1])]


def _render(num: _Number, fmt: str, rng: random.Random) -> str:
    a, b, c = num
    if fmt in ("intl_hyphen", "intl_space") and a.startswith(("0120", "0800")):
        fmt = "hyphen"  # toll-free numbers are not written in international form
    if fmt == "hyphen":
        return f"{a}-{b}-{c}"
    if fmt == "paren":
        return f"({a}){b}-{c}"
    if fmt == "space":
        return f"{a} {b} {c}"
    if fmt == "digits":
        return a + b + c
    if fmt == "intl_hyphen":
        return f"+81-{a[1:]}-{b}-{c}"
    if fmt == "intl_space":
        return f"+81 {a[1:]} {b} {c}"
    if fmt == "fullwidth":
        return f"{a}-{b}-{c}".translate(_FULLWIDTH)
    if fmt == "extension":
        width = rng.randrange(2, 5)
        return f"{a}-{b}-{c} 内線{rng.randrange(10 ** (width - 1), 10**width)}"
    if fmt == "daihyo":
        return f"{a}-{b}-{c}(代表)"
    raise ValueError(f"unknown phone format {fmt!r}")


class _Numbers:
    """Allocates distinct national numbers (sharing is always explicit, never a random collision)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _take(self, a: str, b: str, c: str) -> _Number | None:
        key = a + b + c
        if key in self.used:
            return None
        self.used.add(key)
        return (a, b, c)

    def fixed(self, city: tuple[str, str, str, str, float]) -> _Number:
        rng = self.rng
        area, digits = city[2], city[3]
        rest = 5 - len(area)  # exchange digits after the first one
        while True:
            ex = digits[int(rng.random() * len(digits))]
            if rest:
                ex += str(rng.randrange(10**rest)).zfill(rest)
            num = self._take(area, ex, str(rng.randrange(10000)).zfill(4))
            if num:
                return num

    def fax_next_to(self, num: _Number) -> _Number:
        """The fax line of an office: same exchange, a subscriber number a little further."""
        a, b, c = num
        for step in (1, 2, 10, 11, 20, 100):
            got = self._take(a, b, str((int(c) + step) % 10000).zfill(4))
            if got:
                return got
        return self.fixed(_city_of_area(a))

    def mobile(self) -> _Number:
        rng = self.rng
        while True:
            r = rng.random()
            area = "090" if r < 0.5 else "080" if r < 0.85 else "070"
            num = self._take(area, str(rng.randrange(1000, 10000)), str(rng.randrange(10000)).zfill(4))
            if num:
                return num

    def ip(self) -> _Number:
        rng = self.rng
        while True:
            num = self._take("050", str(rng.randrange(1000, 10000)), str(rng.randrange(10000)).zfill(4))
            if num:
                return num

    def toll_free(self) -> _Number:
        rng = self.rng
        while True:
            if rng.random() < 0.8:
                num = self._take("0120", str(rng.randrange(100, 1000)), str(rng.randrange(1000)).zfill(3))
            else:
                num = self._take("0800", str(rng.randrange(100, 1000)), str(rng.randrange(10000)).zfill(4))
            if num:
                return num


@cache
def _city_of_area(area: str) -> tuple[str, str, str, str, float]:
    return next(c for c in _CITIES if c[2] == area)


# ---------------------------------------------------------------------------------------------------------------
# Generation.


def _company(rng: random.Random) -> tuple[str, str, str]:
    """A company name, its e-mail domain and its Industry."""
    r = rng.random()
    if r < 0.05:  # medical corporation
        a, ar = _KANJI_A[int(rng.random() * len(_KANJI_A))]
        b, br = _KANJI_B[int(rng.random() * len(_KANJI_B))]
        kind = "医療法人社団" if rng.random() < 0.6 else "医療法人"
        if rng.random() < 0.5:
            return f"{kind}{a}{b}会", f"{ar}{br}-kai.or.jp", "Healthcare"
        clinic = ("クリニック", "clinic") if rng.random() < 0.6 else ("病院", "hospital")
        return f"{kind}{a}{b}会 {a}{b}{clinic[0]}", f"{ar}{br}-{clinic[1]}.or.jp", "Healthcare"
    if r < 0.065:
        a, ar = _KANJI_A[int(rng.random() * len(_KANJI_A))]
        b, br = _KANJI_B[int(rng.random() * len(_KANJI_B))]
        return f"学校法人{a}{b}学園", f"{ar}{br}.ac.jp", "Education"
    if r < 0.08:
        a, ar = _KANJI_A[int(rng.random() * len(_KANJI_A))]
        b, br = _KANJI_B[int(rng.random() * len(_KANJI_B))]
        return f"社会福祉法人{a}{b}会", f"{ar}{br}-kai.or.jp", "Other"
    if r < 0.09:
        g, gr = _REGIONS[int(rng.random() * len(_REGIONS))]
        s, sr, _, _ = _pick(rng, _SUFFIXES, _SUFFIX_CUM)
        return f"一般社団法人{g}{s}協会", f"{gr}-{sr}.or.jp", "Other"
    # Business: stem + suffix + legal form.
    s = rng.random()
    if s < 0.55:
        a, ar = _KANJI_A[int(rng.random() * len(_KANJI_A))]
        b, br = _KANJI_B[int(rng.random() * len(_KANJI_B))]
        stem, stem_r = a + b, ar + br
    elif s < 0.85:
        a, ar = _KATAKANA[int(rng.random() * len(_KATAKANA))]
        if rng.random() < 0.6:
            b, br = _KATAKANA[int(rng.random() * len(_KATAKANA))]
            if b != a:
                a, ar = a + b, ar + br
        stem, stem_r = a, ar
    else:
        stem, stem_r = _REGIONS[int(rng.random() * len(_REGIONS))]
    suffix, suffix_r, industry, _ = _pick(rng, _SUFFIXES, _SUFFIX_CUM)
    core = stem + suffix
    f = rng.random()
    if f < 0.45:
        name = f"株式会社{core}"
    elif f < 0.82:
        name = f"{core}株式会社"
    elif f < 0.91:
        name = f"有限会社{core}"
    else:
        name = f"合同会社{core}"
    tld = ".co.jp" if f < 0.91 and rng.random() < 0.75 else (".jp" if rng.random() < 0.5 else ".com")
    domain = f"{stem_r}-{suffix_r}{tld}" if rng.random() < 0.5 else f"{stem_r}{tld}"
    return name, domain, industry


def _person(rng: random.Random) -> tuple[str, str, str, str]:
    last, last_r = _pick(rng, _LAST_NAMES, _LAST_CUM)
    first, first_r = _FIRST_NAMES[int(rng.random() * len(_FIRST_NAMES))]
    return last, first, last_r, first_r


def _email(rng: random.Random, last_r: str, first_r: str | None, domain: str | None) -> str:
    r = rng.random()
    if first_r is None or 0.8 <= r < 0.9:  # surname and a number (the only choice when the first name is unknown)
        local = f"{last_r}{rng.randrange(1, 100)}"
    elif r < 0.45:
        local = f"{first_r}.{last_r}"
    elif r < 0.65:
        local = f"{last_r}.{first_r}"
    elif r < 0.8:
        local = f"{first_r[0]}-{last_r}"
    else:
        local = f"{last_r}_{first_r}"
    if domain is None:
        domain = _FREE_MAIL[int(rng.random() * len(_FREE_MAIL))]
    return f"{local}@{domain}"


def _counts(records: int) -> tuple[int, int, int]:
    n_acc = max(1, int(records * 0.30 + 0.5))
    n_con = min(records - n_acc, int(records * 0.45 + 0.5))
    return n_acc, n_con, records - n_acc - n_con


def generate_demo(records: int = 2000, random_seed: int = 0) -> list[SeedRecord]:
    """``records`` Accounts + Contacts + Leads (≈ 30/45/25 %), parents first; the same seed gives the same data.

    The first record is the fallback Account ``登録情報なし`` (no phone). Phone values are valid Japanese numbers
    written the way real orgs hold them (see PHONE_FORMATS); about 3 % of the distinct numbers are held by several
    records: a company's main number on some of its Contacts, a person present both as Contact and as Lead (all
    converted Leads, and a few unconverted duplicates).
    """
    if records < 1:
        raise ValueError("records must be at least 1")
    rng = random.Random(random_seed)
    nums = _Numbers(rng)
    n_acc, n_con, n_lead = _counts(records)
    out: list[SeedRecord] = []

    # Accounts ------------------------------------------------------------------------------------------------
    out.append(
        SeedRecord(
            "Account",
            "acc-0",
            {
                "Name": FALLBACK_ACCOUNT_NAME,
                "Phone": None,
                "Fax": None,
                "Industry": None,
                "BillingState": None,
                "BillingCity": None,
            },
            {},
        )
    )
    names: set[str] = {FALLBACK_ACCOUNT_NAME}
    # Per real account: (ref, name, domain, city, main number or None)
    accounts: list[tuple[str, str, str, tuple[str, str, str, str, float], _Number | None]] = []
    for i in range(1, n_acc):
        for _ in range(4):
            name, domain, industry = _company(rng)
            if name not in names:
                break
        names.add(name)
        city = _pick(rng, _CITIES, _CITY_CUM)
        r = rng.random()
        main: _Number | None
        if r < 0.05:
            main = None
        elif r < 0.09:
            main = nums.toll_free()
        elif r < 0.12:
            main = nums.ip()
        else:
            main = nums.fixed(city)
        fax: str | None = None
        if main is not None and main[0] not in ("0120", "0800", "050") and rng.random() < 0.45:
            fax = _render(nums.fax_next_to(main), _pick(rng, *_OTHER), rng)
        phone = None if main is None else _render(main, _pick(rng, *_MAIN), rng)
        ref = f"acc-{i}"
        out.append(
            SeedRecord(
                "Account",
                ref,
                {
                    "Name": name,
                    "Phone": phone,
                    "Fax": fax,
                    "Industry": industry if rng.random() < 0.9 else None,
                    "BillingState": city[0],
                    "BillingCity": city[1],
                },
                {},
            )
        )
        accounts.append((ref, name, domain, city, main))

    # Contacts ------------------------------------------------------------------------------------------------
    n_real = len(accounts)
    # Per contact: (ref, last, first, last_r, first_r, company name, email, office number, mobile number)
    contacts: list[tuple[str, str, str, str, str, str | None, str | None, _Number | None, _Number | None]] = []
    for i in range(n_con):
        last, first, last_r, first_r = _person(rng)
        acc = accounts[int(n_real * rng.random() ** 1.6)] if n_real and rng.random() >= 0.03 else None
        if acc is not None:
            city = acc[3]
        else:
            city = _pick(rng, _CITIES, _CITY_CUM)
        fields: dict[str, Any] = dict.fromkeys(FIELDS["Contact"])
        fields["LastName"] = last
        fields["FirstName"] = first if rng.random() < 0.97 else None
        fields["Title"] = _pick(rng, _TITLES, _TITLE_CUM)[0]
        if rng.random() < 0.85:
            fields["Email"] = _email(
                rng, last_r, first_r if fields["FirstName"] else None, acc[2] if acc is not None else None
            )
        office: _Number | None = None
        r = rng.random()
        if acc is not None and acc[4] is not None and r < 0.04:
            office = acc[4]  # the company's main number (shared with the Account)
            fmt = "extension" if rng.random() < 0.5 else _pick(rng, *_MAIN)
            fields["Phone"] = _render(office, fmt, rng)
        elif r < 0.78:
            office = nums.ip() if rng.random() < 0.05 else nums.fixed(city)
            fields["Phone"] = _render(office, _pick(rng, *_OFFICE), rng)
        mobile: _Number | None = None
        if rng.random() < 0.45 or office is None:
            mobile = nums.mobile()
            fields["MobilePhone"] = _render(mobile, _pick(rng, *_MOBILE), rng)
        if rng.random() < 0.05:
            fields["HomePhone"] = _render(nums.fixed(_pick(rng, _CITIES, _CITY_CUM)), _pick(rng, *_OTHER), rng)
        if rng.random() < 0.04:
            other = nums.mobile() if rng.random() < 0.5 else nums.fixed(city)
            fields["OtherPhone"] = _render(other, _pick(rng, *_OTHER), rng)
        if rng.random() < 0.02:
            fields["AssistantPhone"] = _render(nums.fixed(city), _pick(rng, *_OFFICE), rng)
        ref = f"con-{i}"
        out.append(SeedRecord("Contact", ref, fields, {"AccountId": acc[0]} if acc is not None else {}))
        contacts.append(
            (ref, last, first, last_r, first_r, acc[1] if acc is not None else None, fields["Email"], office, mobile)
        )

    # Leads ---------------------------------------------------------------------------------------------------
    for i in range(n_lead):
        fields = dict.fromkeys(FIELDS["Lead"])
        r = rng.random()
        converted = r < 0.05
        twin = contacts[int(rng.random() * len(contacts))] if contacts and (converted or r < 0.07) else None
        if twin is not None:  # the same person as a Contact: same name, same phone numbers
            _, last, first, last_r, first_r, company, email, office, mobile = twin
            fields["LastName"], fields["FirstName"] = last, first
            fields["Company"] = company or "個人"
            fields["Email"] = email
            if office is not None:
                fields["Phone"] = _render(office, _pick(rng, *_OFFICE), rng)
            if mobile is not None:
                fields["MobilePhone"] = _render(mobile, _pick(rng, *_MOBILE), rng)
        else:
            last, first, last_r, first_r = _person(rng)
            company, domain, _ = _company(rng)
            city = _pick(rng, _CITIES, _CITY_CUM)
            fields["LastName"] = last
            fields["FirstName"] = first if rng.random() < 0.95 else None
            fields["Company"] = company
            if rng.random() < 0.7:
                fields["Email"] = _email(
                    rng, last_r, first_r if fields["FirstName"] else None, domain if rng.random() < 0.7 else None
                )
            p = rng.random()
            if p < 0.65:
                num = nums.ip() if rng.random() < 0.06 else nums.fixed(city)
                fields["Phone"] = _render(num, _pick(rng, *_OFFICE), rng)
            if p >= 0.5 or rng.random() < 0.25:
                fields["MobilePhone"] = _render(nums.mobile(), _pick(rng, *_MOBILE), rng)
        fields["Title"] = _pick(rng, _TITLES, _TITLE_CUM)[0]
        if converted:
            fields["Status"] = "Closed - Converted"
        else:
            s = rng.random()
            fields["Status"] = (
                "Open - Not Contacted" if s < 0.45 else "Working - Contacted" if s < 0.8 else "Closed - Not Converted"
            )
        fields["LeadSource"] = _pick(rng, LEAD_SOURCES, _LEAD_SOURCE_CUM)
        fields["IsConverted"] = converted
        out.append(SeedRecord("Lead", f"lead-{i}", fields, {}))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Helpers for tests and benchmarks.

_NOTE = re.compile(r"\((?:[^0-9()]*)\)")  # (代表), (本社) … — but not the (03) of (03)1234-5678
_EXT = re.compile(r"\s*(?:内線|ext\.?|x|#)\s*\d+\s*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def normalize_phone(raw: str, region: str = "JP") -> str | None:
    """E.164 form of a phone value (NFKC, extension and notes stripped), or None if it is not a valid number."""
    text = _EXT.sub("", _NOTE.sub("", unicodedata.normalize("NFKC", raw))).strip()
    try:
        num = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def canonical_numbers(seed: list[SeedRecord]) -> dict[str, list[str]]:
    """E.164 number → refs (in seed order, no repeats) of the records holding it in any phone field."""
    result: dict[str, list[str]] = {}
    for rec in seed:
        for field_name in PHONE_FIELDS.get(rec.object_name, ()):
            raw = rec.fields.get(field_name)
            if not raw:
                continue
            e164 = normalize_phone(raw)
            if e164 is None:
                continue
            refs = result.setdefault(e164, [])
            if not refs or refs[-1] != rec.ref:
                refs.append(rec.ref)
    return result


def unknown_numbers(count: int, random_seed: int, avoid: set[str]) -> list[str]:
    """``count`` distinct valid Tokyo/Osaka numbers ``0X-XXXX-XXXX`` whose E.164 form is not in ``avoid``."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count > 10_000_000:
        raise ValueError("count too large")
    rng = random.Random(random_seed)
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        area = "3" if rng.random() < 0.7 else "6"
        local = str(rng.randrange(20_000_000, 100_000_000))
        e164 = f"+81{area}{local}"
        if e164 in seen or e164 in avoid:
            continue
        seen.add(e164)
        out.append(f"0{area}-{local[:4]}-{local[4:]}")
    return out
