"""The edges: the Telegram bot and the terminal chat, both rendering the dialogue's replies."""
