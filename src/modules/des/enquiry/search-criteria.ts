/** What a DES search may be by (the API, the web form and the GES-compatible API share it). */
export interface SearchCriteria {
  mprn?: string;
  postcode?: string;
  house_no?: string;
  house_name?: string;
  sub_building_name?: string;
  street?: string;
  dependent_street?: string;
  dependent_local?: string;
  town?: string;
  county?: string;
  country?: string;
  msn?: string;
  uprn?: string;
  address_id?: string;
}

/** Address details that only narrow a postcode search. */
export const ADDRESS_PARTS = [
  'house_no',
  'house_name',
  'sub_building_name',
  'street',
  'dependent_street',
  'dependent_local',
  'town',
  'county',
  'country',
] as const satisfies readonly (keyof SearchCriteria)[];

export const SEARCH_KEYS = [
  'mprn',
  'postcode',
  ...ADDRESS_PARTS,
  'msn',
  'uprn',
  'address_id',
] as const satisfies readonly (keyof SearchCriteria)[];
