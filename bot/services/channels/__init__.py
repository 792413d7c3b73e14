"""Channel adapters: Zalo OA and Telegram turn channel events into inbox messages and
deliver outbox messages back; the conversation never sees channel-specific shapes."""
