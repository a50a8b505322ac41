"""Helpers over the bindings componentize-py generates from wit/control.wit.

Written by `securebase plugin new`; yours to edit. Inventory items come with their
configuration parsed and their tags as a dict; `Findings` builds one check's findings;
`metadata` and `evaluate` do what the `Control` class in app.py delegates to them.
"""

import json
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Optional

from componentize_py_types import Err
from wit_world.imports import inventory
from wit_world.imports import log as _log
from wit_world.imports.types import CheckMetadata, Finding, PluginMetadata, Reference, Severity, Status


@dataclass
class Item:
    """One AWS Config configuration item of the account being evaluated."""

    resource_type: str
    resource_id: str
    name: str
    region: str
    arn: Optional[str]
    configuration: Any
    supplementary: Any
    tags: dict

    def get(self, path: str, default: Any = None) -> Any:
        """A value inside the configuration by dotted path, e.g. "ipPermissions.0.fromPort"."""
        value = self.configuration
        for part in path.split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return default
        return value


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def items(resource_type: str) -> list:
    """Every item of one resource type, e.g. "AWS::EC2::Volume", in a stable order."""
    return [
        Item(
            resource_type=i.resource_type,
            resource_id=i.resource_id,
            name=i.resource_name or i.resource_id,
            region=i.aws_region,
            arn=i.arn,
            configuration=_parse(i.configuration),
            supplementary=_parse(i.supplementary_configuration),
            tags=dict(i.tags),
        )
        for i in inventory.items(resource_type)
    ]


def account_id() -> str:
    return inventory.account_id()


def captured_at() -> str:
    """When the inventory was captured (RFC 3339): measure ages against this, not a clock."""
    return inventory.captured_at()


def log(level: str, message: str) -> None:
    """level: debug, info, warn or error. The host keeps a bounded amount per call."""
    _log.log(_log.Level[level.upper()], message)


def check(id, title, severity, resource_types, rationale, remediation, references=()):
    """A check's metadata. severity: info, low, medium, high or critical;
    references: (kind, value) pairs, kind one of aws-config-rule, prowler, cis, url."""
    return CheckMetadata(
        id=id,
        title=title,
        severity=Severity[severity.upper()],
        resource_types=list(resource_types),
        rationale=rationale,
        remediation=remediation,
        references=[Reference(kind=k, value=v) for k, v in references],
    )


class Findings:
    """The findings of one check: one per resource it looks at."""

    def __init__(self, check_id: str):
        self.check_id = check_id
        self.findings = []

    def _add(self, item: Item, status, message: str) -> None:
        self.findings.append(Finding(self.check_id, item.resource_type, item.resource_id, status, message))

    def passed(self, item: Item, message: str) -> None:
        self._add(item, Status.PASS, message)

    def failed(self, item: Item, message: str) -> None:
        self._add(item, Status.FAIL, message)

    def not_applicable(self, item: Item, message: str) -> None:
        self._add(item, Status.NOT_APPLICABLE, message)

    def error(self, item: Item, message: str) -> None:
        self._add(item, Status.ERROR, message)

    def verdict(self, item: Item, ok: bool, if_ok: str, if_not: str) -> None:
        if ok:
            self.passed(item, if_ok)
        else:
            self.failed(item, if_not)


Run = Callable[[Findings], None]


def metadata(name: str, version: str, checks: list) -> PluginMetadata:
    return PluginMetadata(name=name, version=version, checks=[meta for meta, _ in checks])


def evaluate(checks: list) -> list:
    """Runs every (metadata, function) pair. Built with --stub-wasi, an uncaught exception
    would trap with no trace; this turns it into the account's plugin error, traceback included."""
    try:
        out = []
        for meta, run in checks:
            findings = Findings(meta.id)
            run(findings)
            out.extend(findings.findings)
        return out
    except Exception:
        raise Err(traceback.format_exc())
