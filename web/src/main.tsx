import { render } from 'preact';
import { App } from './app';
import './styles/theme.css';
import './styles/base.css';
import './styles/forms.css';
import './styles/layout.css';

render(<App />, document.getElementById('app')!);
