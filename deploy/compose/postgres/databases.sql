-- One PostgreSQL server for development, one database per app plus the shared identity
-- database (services mode) and one for the monolith. Runs once, on an empty data volume.
CREATE DATABASE identity;
CREATE DATABASE catalog;
CREATE DATABASE bookings;
CREATE DATABASE payments;
CREATE DATABASE notifications;
CREATE DATABASE monolith;
