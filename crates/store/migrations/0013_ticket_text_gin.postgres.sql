-- PostgreSQL only: a GIN index over the words of ticket_text, queried with @> (all words).
CREATE INDEX ticket_text_words ON ticket_text USING gin (string_to_array(body, ' '));
