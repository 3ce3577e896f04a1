"""Running the work: collection passes (each crawl in its own process), the scheduler
daemon, the run history, what crawls remember between passes, and re-tagging the store."""
