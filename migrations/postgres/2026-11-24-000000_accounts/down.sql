DROP TABLE business_number_members;
DROP TABLE business_numbers;
DROP TABLE login_failures;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
