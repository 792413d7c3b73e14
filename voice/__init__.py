"""The hotline voice pipeline: recorded calls → redacted transcripts → call records and drafts.

Modules, one concept each: ``config`` (settings from the environment), ``model`` (the Whisper
model, loaded once per process), ``audio`` (decoding in bounded memory), ``transcribe``
(channels, VAD, confidence), ``hallucinations``, ``redact`` (personal data), ``metadata``
(caller, operator, time), ``summary``, ``calls`` (the processing pipeline), ``drafts``,
``knowledge`` (KB suggestions), ``inbox`` (batches and file moves), ``schema`` (tables),
``worker`` (the inbox watcher ``hue-assist up`` starts) and ``synth`` (synthetic test calls).
See docs/voice.md.
"""
