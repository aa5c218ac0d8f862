"""Stage 3: a draft read from any format into one model of sections, paragraphs and sentences."""
