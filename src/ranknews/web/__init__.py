"""The website: the board, article pages, their JSON twins, RSS; served by uvicorn or granian."""
