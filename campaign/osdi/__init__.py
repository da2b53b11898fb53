"""OSDI: the documents the API and webhooks send (people, petitions, signatures, advocacy campaigns, outreaches, events, attendances), identifiers, paging and filters."""
