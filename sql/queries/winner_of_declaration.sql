select winner_party from pipeline.declaration where declaration_id = :declaration_id
