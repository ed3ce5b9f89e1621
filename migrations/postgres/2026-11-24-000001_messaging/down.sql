DROP TABLE events;
DROP TABLE pending_statuses;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE contacts;
