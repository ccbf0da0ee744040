"""Person Accounts (optional, off by default as in Salesforce): one person = an Account and its person Contact.

Salesforce: with Person Accounts enabled, a person account is an Account (``IsPersonAccount = true``) whose
contact fields appear on it prefixed ``Person…`` (``PersonMobilePhone``, ``PersonHomePhone``,
``PersonOtherPhone``, ``PersonAssistantPhone``), plus ``FirstName``/``LastName``; the org creates a person
Contact (``IsPersonAccount = true``, ``AccountId`` = the Account, ``Account.PersonContactId`` = the Contact)
that holds the same numbers (Person Accounts developer guide, "Person Accounts" in the Object Reference).
Modelled: the fields in describe and SOQL/SOSL, and the pair created by ``create_person_account`` (the
equivalent of creating an Account with a person record type). Not modelled: creating a person account
through the REST create of Account, nor later edits propagating between the pair (unverified details of the
copy; the tests edit neither).
"""

from __future__ import annotations

from typing import Any

from biztel_desk.devorg import schema
from biztel_desk.devorg.model import FieldDef
from biztel_desk.devorg.store import OrgStore

# Account's person field → the person Contact's field holding the same value. Account.Phone is shown on the
# person Contact as its Phone (unverified).
PERSON_PHONES = {"Phone": "Phone", "PersonMobilePhone": "MobilePhone", "PersonHomePhone": "HomePhone",
                 "PersonOtherPhone": "OtherPhone", "PersonAssistantPhone": "AssistantPhone"}


def _field(name: str, type_: str, label: str, length: int, **kwargs: Any) -> FieldDef:
    return FieldDef(name=name, type=type_, label=label, length=length, **kwargs)


def enable(store: OrgStore) -> None:
    """Adds the Person Account fields to Account and Contact (idempotent)."""
    readonly = {"createable": False, "updateable": False}
    account = [
        _field("IsPersonAccount", "boolean", "個人取引先", 0, nillable=False, default_value=False, **readonly),
        _field("PersonContactId", "reference", "個人取引先責任者 ID", 18, reference_to=(schema.CONTACT,),
               relationship_name="PersonContact", **readonly),
        _field("FirstName", "string", "名", 40),
        _field("LastName", "string", "姓", 80),
        _field("PersonMobilePhone", "phone", "携帯", 40),
        _field("PersonHomePhone", "phone", "自宅電話", 40),
        _field("PersonOtherPhone", "phone", "その他の電話", 40),
        _field("PersonAssistantPhone", "phone", "アシスタント電話", 40),
    ]
    contact = [_field("IsPersonAccount", "boolean", "個人取引先", 0, nillable=False, default_value=False, **readonly)]
    for object_name, fields in ((schema.ACCOUNT, account), (schema.CONTACT, contact)):
        for field in fields:
            if field.name not in store.objects[object_name].fields:
                store.set_field(object_name, field, field.name)
    store.flush()


def create_person_account(store: OrgStore, last_name: str, first_name: str = "", **phones: str) -> tuple[str, str]:
    """A person account and its person Contact; ``phones`` by Account field (``Phone``, ``PersonMobilePhone``…).

    Returns (Account Id, Contact Id).
    """
    unknown = set(phones) - set(PERSON_PHONES)
    if unknown:
        raise ValueError(f"not a person phone field: {sorted(unknown)}")
    name = f"{last_name} {first_name}" if first_name else last_name
    with store.lock:
        account_id = store.insert_system(schema.ACCOUNT, {"Name": name, "LastName": last_name,
                                                          "FirstName": first_name or None, "IsPersonAccount": True,
                                                          "OwnerId": store.user_id, **phones})
        contact_values = {PERSON_PHONES[k]: v for k, v in phones.items()}
        contact_id = store.insert_system(schema.CONTACT, {"Name": name, "LastName": last_name,
                                                          "FirstName": first_name or None, "AccountId": account_id,
                                                          "IsPersonAccount": True, "OwnerId": store.user_id,
                                                          **contact_values})
        record = store.record(schema.ACCOUNT, account_id)
        assert record is not None
        record["PersonContactId"] = contact_id
    store.flush()
    return account_id, contact_id
