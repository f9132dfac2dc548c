"""Project commands for `scrapy` (COMMANDS_MODULE): one module per command."""
