"""Page objects: a response in, fields out. They know nothing of crawling."""
