//! The generated table (`backup-apis`) and the specs agree: one row per `specs/<api>.yaml`, in
//! the order of discovery, each listing exactly the operations of its spec.

use xtask::specs;

#[test]
fn every_spec_has_a_row_with_all_its_operations() {
    let rows: Vec<&str> = backup_apis::APIS.iter().map(|api| api.name).collect();
    assert_eq!(
        rows,
        &*specs::APIS,
        "rows of backup_apis::APIS vs specs/*.yaml"
    );
    for api in backup_apis::APIS {
        assert_eq!(api.spec, format!("specs/{}.yaml", api.name));
        let bundle = xtask::publish::bundle(api.name).unwrap_or_else(|e| panic!("{e}"));
        let in_spec: Vec<(String, String, String)> = xtask::publish::operations(&bundle.doc)
            .into_iter()
            .map(|(method, path, id, _)| (id, method.to_owned(), path))
            .collect();
        let in_table: Vec<(String, String, String)> = api
            .operations
            .iter()
            .map(|op| (op.id.to_owned(), op.method.to_owned(), op.path.to_owned()))
            .collect();
        let mut sorted_spec = in_spec.clone();
        sorted_spec.sort();
        let mut sorted_table = in_table.clone();
        sorted_table.sort();
        assert_eq!(sorted_table, sorted_spec, "{}: operations", api.name);
        assert!(!(api.json_schemas)().is_empty(), "{}: no schemas", api.name);
    }
}
