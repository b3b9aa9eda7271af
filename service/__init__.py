"""plansearch service: load the index, search it, answer over HTTP and the command line."""
