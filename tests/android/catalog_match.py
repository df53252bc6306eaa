#!/usr/bin/env python3
"""The app's hand-kept copies of the core's identifiers match the core.

Usage: catalog_match.py REPO_ROOT
- `Labels.INFO_TYPES` (the "who accessed" screen's list) names exactly the op catalog's information types
  (`InfoType::as_str` in rust/core/src/ops.rs), in the same order, and `Labels.infoType` has a label for each.
- Every exception kind `BaseActivity.kindText` gives its own words for is one the bridge throws
  (`BridgeError::kind` in rust/jni/src/error.rs).
- The usage event types the app sends (`UsageEventTypes`, checked against the platform by PlatformConstantsTest) are
  the numbers the core reads (rust/core/src/store/usage.rs).
A type or kind added on one side only would show a raw id, or be missed, only on a phone.
"""
import re
import sys
from pathlib import Path


def main():
    root = Path(sys.argv[1])
    ops = (root / "rust/core/src/ops.rs").read_text()
    body = ops[ops.index("InfoType::Location =>"):]
    core_types = re.findall(r'InfoType::\w+ => "([a-z_]+)"', body[: body.index("}")])
    labels = (root / "android/app/src/main/java/org/opsight/ui/Labels.kt").read_text()
    listed = re.findall(r'"([a-z_]+)"', labels[labels.index("val INFO_TYPES") : labels.index(")", labels.index("val INFO_TYPES"))])
    labelled = set(re.findall(r'"([a-z_]+)" -> R\.string\.info_', labels))
    if "else -> R.string.info_other" in labels:
        labelled.add("other")
    bridge = (root / "rust/jni/src/error.rs").read_text()
    kinds = set(re.findall(r'=> "([a-z_]+)"', bridge[bridge.index("pub fn kind") :]))
    base = (root / "android/app/src/main/java/org/opsight/ui/BaseActivity.kt").read_text()
    worded = set(re.findall(r'"([a-z_]+)" -> org\.opsight\.R\.string\.error_', base))
    usage_core = dict(re.findall(r"pub const (ACTIVITY_\w+): i32 = (\d+);", (root / "rust/core/src/store/usage.rs").read_text()))
    inventory = (root / "android/app/src/main/java/org/opsight/logic/Inventory.kt").read_text()
    usage_app = dict(re.findall(r"const val (ACTIVITY_\w+) = (\d+)", inventory))
    problems = []
    if len(usage_core) != 2 or usage_app != usage_core:
        problems.append(f"usage event types: the app sends {usage_app}, the core reads {usage_core}")
    if len(core_types) < 18:
        problems.append(f"found only {len(core_types)} information types in ops.rs")
    if listed != core_types:
        problems.append(f"Labels.INFO_TYPES {listed} is not the catalog's {core_types}")
    if set(core_types) - labelled:
        problems.append(f"no label for {sorted(set(core_types) - labelled)}")
    if not worded or worded - kinds:
        problems.append(f"kinds the app words but the bridge never throws: {sorted(worded - kinds)}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
