-- The statement that gives a login role its password (`resultsnight db roles`).
-- ALTER ROLE takes no bound parameters, so the server quotes the role's name
-- and the SCRAM verifier into it (format %I, %L); the caller runs the result.
-- Only the verifier is sent, never the password itself.
select format('alter role %I with login password %L', cast(:role as text), cast(:verifier as text))
